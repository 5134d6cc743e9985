namespace ParameterServer.Contracts;

/// <summary>A worker's membership in a job.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkerStatus
{
    [Id(0)] public required string WorkerId { get; init; }
    /// <summary>Steps the worker has finished and reported.</summary>
    [Id(1)] public long Clock { get; init; }
    [Id(2)] public DateTimeOffset LastHeartbeat { get; init; }
    /// <summary>The data partitions the job has given this worker, by index.</summary>
    [Id(3)] public IReadOnlyList<int> Partitions { get; init; } = [];
}

/// <summary>A job's workers and clocks.</summary>
[GenerateSerializer, Immutable]
public sealed record ModelStatus
{
    [Id(0)] public required ModelSpec Spec { get; init; }
    [Id(1)] public required IReadOnlyList<WorkerStatus> Workers { get; init; }
    /// <summary>The smallest clock of the live workers (the last completed clock when none is live).</summary>
    [Id(2)] public long MinClock { get; init; }
    [Id(3)] public long MaxClock { get; init; }
    /// <summary>The shards that came back from a checkpoint older than what clients had been told, and how much was lost.</summary>
    [Id(4)] public IReadOnlyList<ShardLoss> Losses { get; init; } = [];
    /// <summary>Data partitions no live worker holds: their worker left or died while no other was live.</summary>
    [Id(5)] public IReadOnlyList<int> UnassignedPartitions { get; init; } = [];

    /// <summary>Acknowledged updates lost over all shards: the sum of their version regressions.</summary>
    public long LostUpdates => Losses.Sum(l => l.LostUpdates);

    /// <summary>How many clocks the fastest worker is ahead of the slowest.</summary>
    public long Staleness => MaxClock - MinClock;
}

/// <summary>What a worker learns when it joins a job.</summary>
[GenerateSerializer, Immutable]
public sealed record JoinReply
{
    /// <summary>The clock the worker starts from (the job's minimum clock).</summary>
    [Id(0)] public long Clock { get; init; }
    [Id(1)] public TimeSpan Lease { get; init; }
    /// <summary>The data partitions the job gives the worker now.</summary>
    [Id(2)] public WorkerAssignment Assignment { get; init; } = WorkerAssignment.None;
}

/// <summary>
/// A client saw a shard answer from a new activation that started at <see cref="RestoredVersion"/> (its last
/// checkpoint), after an earlier activation had acknowledged versions up to <see cref="LastAcknowledged"/>: the updates
/// in between were lost with a silo.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record VersionRegression
{
    /// <summary>The shard's key, "{model}/{table}/{shard}".</summary>
    [Id(0)] public required string Shard { get; init; }
    /// <summary>The new activation, as <see cref="PushReply.Activation"/>.</summary>
    [Id(1)] public long Activation { get; init; }
    [Id(2)] public long RestoredVersion { get; init; }
    [Id(3)] public long LastAcknowledged { get; init; }
}

/// <summary>One shard's restores from a checkpoint behind its acknowledged updates, as the job recorded them.</summary>
[GenerateSerializer, Immutable]
public sealed record ShardLoss
{
    [Id(0)] public required string Shard { get; init; }
    /// <summary>How many times the shard came back behind what clients had been told.</summary>
    [Id(1)] public int Restores { get; init; }
    /// <summary>Acknowledged updates lost, summed over the restores (each: last acknowledged - restored version).</summary>
    [Id(2)] public long LostUpdates { get; init; }
}
