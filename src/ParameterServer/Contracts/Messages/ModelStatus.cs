namespace ParameterServer.Contracts;

/// <summary>A worker's membership in a job.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkerStatus
{
    [Id(0)] public required string WorkerId { get; init; }
    /// <summary>Steps the worker has finished and reported.</summary>
    [Id(1)] public long Clock { get; init; }
    [Id(2)] public DateTimeOffset LastHeartbeat { get; init; }
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
}
