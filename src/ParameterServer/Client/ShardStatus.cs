using ParameterServer.Contracts;

namespace ParameterServer.Client;

/// <summary>One shard of a table as a status query saw it: its state and the statistics of its values.</summary>
/// <example><c>foreach (var s in (await model.GetTableStatusAsync("w")).Shards) Console.WriteLine(s.Info.Version);</c></example>
public sealed record ShardStatus
{
    /// <summary>Key, rows, version, update count, last checkpointed version and time, hosting silo.</summary>
    /// <example><c>var version = shard.Info.Version;</c></example>
    public required ShardInfo Info { get; init; }

    /// <summary>L2 norm, min, max and NaN count of the shard's values.</summary>
    /// <example><c>var norm = shard.Stats.L2Norm;</c></example>
    public required ShardStats Stats { get; init; }

    /// <summary>How long ago the last checkpoint was written, as of the query; null if the shard was never checkpointed.</summary>
    /// <example><c>var stale = shard.CheckpointAge > TimeSpan.FromMinutes(5);</c></example>
    public TimeSpan? CheckpointAge { get; init; }

    /// <summary>Updates applied since the last checkpoint: what a silo failure would lose now.</summary>
    /// <example><c>var atRisk = shard.UncheckpointedUpdates;</c></example>
    public long UncheckpointedUpdates => Info.Version - Info.CheckpointedVersion;
}
