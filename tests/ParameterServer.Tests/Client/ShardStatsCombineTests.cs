using ParameterServer.Client;
using ParameterServer.Contracts;
using Xunit;

namespace ParameterServer.Tests.Client;

/// <summary>A table's statistics are those of the union of its shards' values.</summary>
public sealed class ShardStatsCombineTests
{
    [Fact]
    public void Counts_and_squares_add_min_and_max_span_the_shards()
    {
        // Shard A holds {3, -1}: 2 values, squares 9 + 1 = 10. Shard B holds {4, NaN, 0.5}: squares 16 + 0.25.
        var a = new ShardStats { Count = 2, SumOfSquares = 10, Min = -1, Max = 3, NaNCount = 0 };
        var b = new ShardStats { Count = 3, SumOfSquares = 16.25, Min = 0.5f, Max = 4, NaNCount = 1 };

        var table = new[] { a, b }.Combine();

        Assert.Equal(5, table.Count);
        Assert.Equal(1, table.NaNCount);
        Assert.Equal((-1f, 4f), (table.Min, table.Max));
        Assert.Equal(Math.Sqrt(26.25), table.L2Norm, 12); // sqrt(9 + 1 + 16 + 0.25)
    }

    [Fact]
    public void A_shard_of_only_NaN_does_not_hide_the_others_range()
    {
        var nan = new ShardStats { Count = 2, SumOfSquares = 0, Min = float.NaN, Max = float.NaN, NaNCount = 2 };
        var b = new ShardStats { Count = 1, SumOfSquares = 4, Min = -2, Max = -2, NaNCount = 0 };

        var table = new[] { nan, b }.Combine();

        Assert.Equal((-2f, -2f, 2L), (table.Min, table.Max, table.NaNCount));
    }

    [Fact]
    public void A_table_of_only_NaN_has_NaN_range()
    {
        var nan = new ShardStats { Count = 2, SumOfSquares = 0, Min = float.NaN, Max = float.NaN, NaNCount = 2 };

        var table = new[] { nan, nan }.Combine();

        Assert.True(float.IsNaN(table.Min) && float.IsNaN(table.Max));
        Assert.Equal(4, table.NaNCount);
    }
}
