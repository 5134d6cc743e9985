using ParameterServer.Contracts;

namespace ParameterServer.Client;

/// <summary>A table's shape, its shards and the statistics of all its values, from one status query.</summary>
/// <example><c>var t = await model.GetTableStatusAsync("embedding"); Console.WriteLine($"{t.Spec.Rows}x{t.Spec.Cols}, |w| = {t.Stats.L2Norm}");</c></example>
public sealed record TableStatus
{
    /// <summary>The table's spec: name, shape, initializer, optimizer.</summary>
    /// <example><c>var (rows, cols) = (t.Spec.Rows, t.Spec.Cols);</c></example>
    public required TableSpec Spec { get; init; }

    /// <summary>Rows per shard (the last shard may hold fewer).</summary>
    /// <example><c>var shardRows = t.ShardRows;</c></example>
    public int ShardRows { get; init; }

    /// <summary>Every shard in row order.</summary>
    /// <example><c>var versions = t.Shards.Select(s => s.Info.Version);</c></example>
    public required IReadOnlyList<ShardStatus> Shards { get; init; }

    /// <summary>Statistics over the whole table: the shards' statistics combined.</summary>
    /// <example><c>var nan = t.Stats.NaNCount;</c></example>
    public required ShardStats Stats { get; init; }

    /// <summary>The oldest checkpoint among the shards; null when some shard was never checkpointed.</summary>
    /// <example><c>var age = t.OldestCheckpointAge;</c></example>
    public TimeSpan? OldestCheckpointAge
    {
        get
        {
            var oldest = TimeSpan.Zero;
            foreach (var s in Shards)
            {
                if (s.CheckpointAge is not { } age) return null;
                if (age > oldest) oldest = age;
            }
            return oldest;
        }
    }
}
