namespace ParameterServer.Contracts;

/// <summary>The state of one shard as the status query shows it.</summary>
[GenerateSerializer, Immutable]
public sealed record ShardInfo
{
    [Id(0)] public required string Key { get; init; }
    [Id(1)] public int Shard { get; init; }
    [Id(2)] public int RowStart { get; init; }
    [Id(3)] public int RowCount { get; init; }
    [Id(4)] public int Cols { get; init; }
    /// <summary>Count of applied updates.</summary>
    [Id(5)] public long Version { get; init; }
    /// <summary>Count of pushes received (under BSP several pushes make one update).</summary>
    [Id(6)] public long UpdateCount { get; init; }
    [Id(7)] public long CheckpointedVersion { get; init; }
    /// <summary>When the last checkpoint was written; null if never.</summary>
    [Id(8)] public DateTimeOffset? CheckpointedAt { get; init; }
    /// <summary>The silo that hosts the shard now.</summary>
    [Id(9)] public string Silo { get; init; } = "";
    /// <summary>Checkpoint writes that failed since the last one that succeeded (the store is down or refusing).</summary>
    [Id(10)] public int CheckpointFailures { get; init; }
    /// <summary>Why the last checkpoint write failed; null when the last one succeeded.</summary>
    [Id(11)] public string? CheckpointError { get; init; }
    /// <summary>The activation serving the shard (UTC ticks when it started), as <see cref="PushReply.Activation"/>.</summary>
    [Id(12)] public long Activation { get; init; }
    /// <summary>The version the activation started from: its last checkpoint.</summary>
    [Id(13)] public long RestoredVersion { get; init; }
}

/// <summary>Statistics of one shard's values.</summary>
[GenerateSerializer, Immutable]
public sealed record ShardStats
{
    [Id(0)] public long Count { get; init; }
    [Id(1)] public double SumOfSquares { get; init; }
    [Id(2)] public float Min { get; init; }
    [Id(3)] public float Max { get; init; }
    [Id(4)] public long NaNCount { get; init; }

    public double L2Norm => Math.Sqrt(SumOfSquares);
}
