namespace ParameterServer.Benchmarks.Scaling;

/// <summary>
/// Where the shards of a model land on M machines, as evenly as possible: largest first, each onto the machine with
/// the fewest bytes so far (lowest index on a tie). The model judges the busiest machine, the one with the most
/// bytes (then the most shards): the others finish their share of a clock before it. Orleans' random placement
/// spreads shards less evenly than this, so the model's hot spot is a best case.
/// </summary>
public sealed record ShardPlacement(double BusiestByteShare, int BusiestShards)
{
    public static ShardPlacement Balanced(IReadOnlyList<long> shardBytes, int machines)
    {
        if (machines < 1) throw new ArgumentOutOfRangeException(nameof(machines), machines, "at least one machine");
        if (shardBytes.Count == 0) throw new ArgumentException("a model has at least one shard", nameof(shardBytes));
        var bytes = new long[machines];
        var shards = new int[machines];
        foreach (var size in shardBytes.OrderByDescending(b => b))
        {
            var least = 0;
            for (var m = 1; m < machines; m++)
            {
                if (bytes[m] < bytes[least]) least = m;
            }
            bytes[least] += size;
            shards[least]++;
        }
        var busiest = 0;
        for (var m = 1; m < machines; m++)
        {
            if (bytes[m] > bytes[busiest] || (bytes[m] == bytes[busiest] && shards[m] > shards[busiest])) busiest = m;
        }
        return new ShardPlacement((double)bytes[busiest] / bytes.Sum(), shards[busiest]);
    }
}
