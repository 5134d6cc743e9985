using ParameterServer.Contracts;

namespace ParameterServer.Client;

/// <summary>Combines per-shard statistics into the statistics of a whole table.</summary>
public static class ShardStatsExtensions
{
    /// <summary>
    /// The statistics of the union of the shards' values: counts and sums of squares add, min and max are taken over
    /// the shards that hold a non-NaN value (a shard of only NaN reports NaN for both).
    /// </summary>
    /// <example><c>var table = shardStats.Combine(); Console.WriteLine(table.L2Norm);</c></example>
    public static ShardStats Combine(this IEnumerable<ShardStats> shards)
    {
        long count = 0, nan = 0;
        double sumOfSquares = 0;
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        foreach (var s in shards)
        {
            count += s.Count;
            nan += s.NaNCount;
            sumOfSquares += s.SumOfSquares;
            // Comparisons with NaN are false, so an all-NaN shard leaves min and max alone.
            if (s.Min < min) min = s.Min;
            if (s.Max > max) max = s.Max;
        }
        if (count == nan)
            min = max = float.NaN;
        return new ShardStats { Count = count, SumOfSquares = sumOfSquares, Min = min, Max = max, NaNCount = nan };
    }
}
