using ParameterServer.Client;
using ParameterServer.Contracts;
using Xunit;

namespace ParameterServer.Tests.Client;

/// <summary>A pull asks each shard for its part of the row range and assembles the parts in row order.</summary>
public sealed class PullTests
{
    [Fact]
    public async Task Rows_2_to_6_are_assembled_from_two_shards()
    {
        var cluster = FilledCluster();
        var model = await new ParameterServerClient(cluster).OpenModelAsync("m");
        var dest = new float[5 * 3];

        await model.PullAsync("w", dest, rowStart: 2);

        // Element (r, c) of the table is 100 r + c.
        float[] expected = [200, 201, 202, 300, 301, 302, 400, 401, 402, 500, 501, 502, 600, 601, 602];
        Assert.Equal(expected, dest);
        var first = Assert.Single(cluster.Shard("w", 0).Pulls);
        var second = Assert.Single(cluster.Shard("w", 1).Pulls);
        Assert.Equal((2, 2, -1L), (first.RowOffset, first.RowCount, first.KnownVersion));
        Assert.Equal((0, 3, -1L), (second.RowOffset, second.RowCount, second.KnownVersion));
        Assert.Empty(cluster.Shard("w", 2).Pulls);
    }

    [Fact]
    public async Task A_bf16_pull_decodes_into_fp32()
    {
        var cluster = FilledCluster();
        var model = await new ParameterServerClient(cluster).OpenModelAsync("m");
        var dest = new float[3];

        await model.PullAsync("w", dest, rowStart: 9, encoding: TensorEncoding.Bf16);

        // 900, 901, 902 have 8 significant bits in bfloat16: 900 = 1.7578125 * 2^9 is exact (0x4461);
        // the step at 2^9 is 2^9 / 128 = 4, so 901 rounds to 900 and 902 (a tie) to the even mantissa, 904.
        Assert.Equal(new float[] { 900, 900, 904 }, dest);
        Assert.Equal(TensorEncoding.Bf16, Assert.Single(cluster.Shard("w", 2).Pulls).Encoding);
    }

    /// <summary>The table of <see cref="PushSlicingTests.Spec"/> with element (r, c) = 100 r + c.</summary>
    internal static FakeCluster FilledCluster()
    {
        var cluster = new FakeCluster(PushSlicingTests.Spec);
        for (var s = 0; s < 3; s++)
        {
            var values = cluster.Shard("w", s).Values;
            for (var i = 0; i < values.Length; i++)
                values[i] = 100 * (4 * s + i / 3) + i % 3;
        }
        return cluster;
    }
}
