namespace ParameterServer.Contracts;

/// <summary>
/// The data partitions a job gives one worker (DESIGN.md, "Fault tolerance"). Clock c (1-based) of a job with S steps
/// per epoch is step (c - 1) mod S of epoch (c - 1) / S + 1 for every partition, so a partition that changes hands
/// goes on at the same step of the same epoch. A worker trains each partition it holds at each of its clocks after
/// <see cref="HeldPartition.TrainedThrough"/>, one step per partition per clock; it reads its assignment at the start
/// of each clock, from the latest reply (join, heartbeat, clock report) with the highest <see cref="Version"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record WorkerAssignment
{
    /// <summary>A job that assigns no data (<see cref="ModelSpec.Partitions"/> = 0).</summary>
    public static WorkerAssignment None { get; } = new();

    /// <summary>Counts the job's changes of assignment; a reply with a higher version is newer.</summary>
    [Id(0)] public long Version { get; init; }

    /// <summary>The job's partition count, <see cref="ModelSpec.Partitions"/>.</summary>
    [Id(1)] public int Partitions { get; init; }

    /// <summary>This worker's partitions, by index.</summary>
    [Id(2)] public IReadOnlyList<HeldPartition> Held { get; init; } = [];

    /// <summary>
    /// Whether this worker evaluates the model after each epoch: the job names one live worker, the first id in ordinal
    /// order, so the accuracy curve goes on when that worker is lost.
    /// </summary>
    [Id(3)] public bool Evaluates { get; init; }
}

/// <summary>A partition a worker holds, and the clock through which earlier holders trained it.</summary>
[GenerateSerializer, Immutable]
public sealed record HeldPartition
{
    /// <summary>0 .. <see cref="WorkerAssignment.Partitions"/> - 1.</summary>
    [Id(0)] public int Index { get; init; }

    /// <summary>
    /// The last clock at which the partition's previous holder trained it (as that holder last reported, or its clock
    /// when it was moved), 0 for a partition nobody trained yet: the holder trains it from the clock after this one.
    /// </summary>
    [Id(1)] public long TrainedThrough { get; init; }
}
