using System.Runtime.InteropServices;
using ParameterServer.Client;
using ParameterServer.Contracts;
using Xunit;

namespace ParameterServer.Tests.Client;

/// <summary>A push is cut at shard boundaries: each shard receives exactly its rows, encoded, with the push's clock and worker.</summary>
public sealed class PushSlicingTests
{
    // 10 rows of 3, 4 rows per shard: shard 0 holds rows 0-3, shard 1 rows 4-7, shard 2 rows 8-9.
    internal static readonly ModelSpec Spec = new()
    {
        Name = "m",
        Tables = [new TableSpec { Name = "w", Rows = 10, Cols = 3, ShardRows = 4 }],
    };

    [Fact]
    public async Task Rows_3_to_8_go_to_three_shards_as_their_own_row_offsets()
    {
        var cluster = new FakeCluster(Spec);
        var model = (await new ParameterServerClient(cluster).OpenModelAsync("m")).ForWorker("w7");
        var gradient = Enumerable.Range(1, 18).Select(i => (float)i).ToArray(); // rows 3..8, values 1..18

        await model.PushAsync("w", gradient, rowStart: 3, clock: 5);

        // Row 3 is row 3 of shard 0; rows 4-7 are rows 0-3 of shard 1; row 8 is row 0 of shard 2.
        AssertPush(cluster.Shard("w", 0), rowOffset: 3, rowCount: 1, [1, 2, 3]);
        AssertPush(cluster.Shard("w", 1), rowOffset: 0, rowCount: 4, [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
        AssertPush(cluster.Shard("w", 2), rowOffset: 0, rowCount: 1, [16, 17, 18]);
    }

    [Fact]
    public async Task A_push_inside_one_shard_reaches_only_that_shard()
    {
        var cluster = new FakeCluster(Spec);
        var model = await new ParameterServerClient(cluster).OpenModelAsync("m");

        await model.PushAsync("w", new float[] { 1, 2, 3, 4, 5, 6 }, rowStart: 5);

        Assert.Empty(cluster.Shard("w", 0).Pushes);
        Assert.Single(cluster.Shard("w", 1).Pushes);
        Assert.Empty(cluster.Shard("w", 2).Pushes);
        Assert.Equal((1, 2), (cluster.Shard("w", 1).Pushes[0].RowOffset, cluster.Shard("w", 1).Pushes[0].RowCount));
        Assert.Equal("", cluster.Shard("w", 1).Pushes[0].WorkerId);
        Assert.Equal(-1, cluster.Shard("w", 1).Pushes[0].Clock);
    }

    // Bit patterns from the IEEE 754 definitions: 1.0f = 0x3F800000, -2.0f = 0xC0000000, 0.5f = 0x3F000000.
    // bfloat16 keeps the top 16 bits: 0x3F80, 0xC000, 0x3F00. float16 (1 sign, 5 exponent bits biased by 15,
    // 10 mantissa bits): 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800. Little-endian on the wire.
    [Theory]
    [InlineData(TensorEncoding.Bf16, new byte[] { 0x80, 0x3F, 0x00, 0xC0, 0x00, 0x3F })]
    [InlineData(TensorEncoding.Fp16, new byte[] { 0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38 })]
    [InlineData(TensorEncoding.Fp32, new byte[] { 0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0, 0, 0, 0, 0x3F })]
    public async Task The_payload_is_the_gradient_in_the_requested_encoding(TensorEncoding encoding, byte[] expected)
    {
        var cluster = new FakeCluster(Spec);
        var model = await new ParameterServerClient(cluster).OpenModelAsync("m");

        await model.PushAsync("w", new float[] { 1f, -2f, 0.5f }, rowStart: 9, encoding: encoding);

        var push = Assert.Single(cluster.Shard("w", 2).Pushes);
        Assert.Equal(encoding, push.Encoding);
        Assert.Equal(expected, push.Payload);
    }

    [Fact]
    public async Task No_more_than_eight_shard_calls_are_in_flight()
    {
        var spec = new ModelSpec { Name = "m", Tables = [new TableSpec { Name = "w", Rows = 40, Cols = 2, ShardRows = 2 }] };
        var cluster = new FakeCluster(spec) { CallDelay = TimeSpan.FromMilliseconds(20) };
        var model = await new ParameterServerClient(cluster).OpenModelAsync("m");

        await model.PushAsync("w", new float[80]);

        Assert.Equal(20, Enumerable.Range(0, 20).Sum(s => cluster.Shard("w", s).Pushes.Count));
        Assert.InRange(cluster.MaxInFlight, 2, 8);
    }

    private static void AssertPush(FakeShard shard, int rowOffset, int rowCount, float[] values)
    {
        var push = Assert.Single(shard.Pushes);
        Assert.Equal((rowOffset, rowCount, 5L, "w7", TensorEncoding.Fp32), (push.RowOffset, push.RowCount, push.Clock, push.WorkerId, push.Encoding));
        Assert.Equal(values, MemoryMarshal.Cast<byte, float>(push.Payload).ToArray());
    }
}
