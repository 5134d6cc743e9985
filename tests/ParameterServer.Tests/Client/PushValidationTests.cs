using ParameterServer.Client;
using ParameterServer.Contracts;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Client;

/// <summary>A gradient a shard would refuse is refused by the client before any shard receives a slice of it.</summary>
public sealed class PushValidationTests
{
    public static TheoryData<string, float[], int, long, TensorEncoding, ErrorCode> Cases()
    {
        float[] Rows(int n) => Enumerable.Repeat(0.5f, n * 3).ToArray();
        float[] With(float[] g, int i, float v) { g[i] = v; return g; }
        return new()
        {
            { "v", Rows(1), 0, -1, TensorEncoding.Fp32, ErrorCode.UnknownTable },
            { "w", new float[4], 0, -1, TensorEncoding.Fp32, ErrorCode.WrongLength },
            { "w", [], 0, -1, TensorEncoding.Fp32, ErrorCode.WrongLength },
            { "w", Rows(2), 9, -1, TensorEncoding.Fp32, ErrorCode.RowsOutOfRange },
            { "w", Rows(1), -1, -1, TensorEncoding.Fp32, ErrorCode.RowsOutOfRange },
            // NaN in the last row: shards 0 and 1 would have applied their slices had the client not checked first.
            { "w", With(Rows(10), 29, float.NaN), 0, -1, TensorEncoding.Fp32, ErrorCode.NonFinite },
            { "w", With(Rows(10), 29, float.PositiveInfinity), 0, -1, TensorEncoding.Fp32, ErrorCode.NonFinite },
            // 70000 is finite in fp32 but beyond float16's largest value, 65504: it would arrive as Inf.
            { "w", With(Rows(10), 29, 70000f), 0, -1, TensorEncoding.Fp16, ErrorCode.NonFinite },
            { "w", Rows(1), 0, -1, (TensorEncoding)9, ErrorCode.UnknownEncoding },
            { "w", Rows(1), 0, -2, TensorEncoding.Fp32, ErrorCode.InvalidArgument },
            // The model is BSP: a push for a clock counts in that clock's average, and this handle is no worker's.
            { "w", Rows(1), 0, 0, TensorEncoding.Fp32, ErrorCode.UnknownWorker },
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Refused_push_names_the_reason_and_sends_nothing(string table, float[] gradient, int rowStart, long clock,
        TensorEncoding encoding, ErrorCode expected)
    {
        var cluster = new FakeCluster(PushSlicingTests.Spec);
        var model = await new ParameterServerClient(cluster).OpenModelAsync("m");

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => model.PushAsync(table, gradient, rowStart, clock, encoding));

        Assert.Equal(expected, error.Code);
        Assert.Equal(0, cluster.RequestCount);
    }

    [Fact]
    public async Task The_largest_float16_value_is_sent()
    {
        var cluster = new FakeCluster(PushSlicingTests.Spec);
        var model = await new ParameterServerClient(cluster).OpenModelAsync("m");

        await model.PushAsync("w", new[] { 65504f, -65504f, 0f }, encoding: TensorEncoding.Fp16);

        // 65504 = (2 - 2^-10) * 2^15: exponent 30, mantissa 0x3FF -> 0x7BFF; negative -> 0xFBFF.
        Assert.Equal(new byte[] { 0xFF, 0x7B, 0xFF, 0xFB, 0, 0 }, Assert.Single(cluster.Shard("w", 0).Pushes).Payload);
    }

    [Theory]
    [InlineData(4, 0, ErrorCode.WrongLength)]
    [InlineData(6, 9, ErrorCode.RowsOutOfRange)]
    public async Task Refused_pull_names_the_reason_and_asks_nothing(int length, int rowStart, ErrorCode expected)
    {
        var cluster = new FakeCluster(PushSlicingTests.Spec);
        var model = await new ParameterServerClient(cluster).OpenModelAsync("m");

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => model.PullAsync("w", new float[length], rowStart));

        Assert.Equal(expected, error.Code);
        Assert.Equal(0, cluster.RequestCount);
    }
}
