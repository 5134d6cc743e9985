using Orleans.Concurrency;

namespace ParameterServer.Contracts;

/// <summary>A model (job): its tables, shards, workers and clocks. Keyed by the model's name.</summary>
public interface IModelGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the model and its shards; a no-op with the same spec, an error with a different one. Refused with
    /// <see cref="ErrorCode.ModelTooLarge"/> before any shard is set up when its values and optimizer slots exceed the
    /// silos' limit. A create that was interrupted is completed by creating again with the same spec.
    /// </summary>
    Task Create(ModelSpec spec);

    /// <summary>The model's spec, or <see cref="ErrorCode.UnknownModel"/>.</summary>
    Task<ModelSpec> GetSpec();

    /// <summary>
    /// Adds a worker to the job (or renews it); it counts in the minimum clock from now on. A new member gets the
    /// unassigned data partitions and, while another worker holds two more than it, one of that worker's.
    /// </summary>
    Task<JoinReply> Join(string workerId);

    /// <summary>Renews a worker's lease; returns its data partitions.</summary>
    Task<WorkerAssignment> Heartbeat(string workerId);

    /// <summary>
    /// Removes a worker: it stops counting in the minimum clock, and its data partitions go to the live workers that
    /// hold the fewest (unassigned when none is live).
    /// </summary>
    Task Leave(string workerId);

    /// <summary>
    /// A worker has finished <paramref name="clock"/> clocks and its pushes of them are acknowledged (also renews its
    /// lease); returns its data partitions.
    /// </summary>
    Task<WorkerAssignment> ReportClock(string workerId, long clock);

    /// <summary>
    /// Completes when every live worker has reported at least <paramref name="clock"/> (and, under BSP, the shards
    /// have applied it), or when <paramref name="timeout"/> passes. Returns the minimum clock then. Never blocks
    /// other calls to the grain. A silo holds one wait for at most its limit (20 s by default), an infinite one too,
    /// and then answers as on a timeout: the caller asks again.
    /// </summary>
    [AlwaysInterleave]
    Task<long> WaitForMinClock(long clock, TimeSpan timeout);

    Task<ModelStatus> GetStatus();

    /// <summary>Checkpoints every shard of the model now; returns the number of shards written.</summary>
    Task<int> Checkpoint();

    /// <summary>
    /// Records that a shard came back behind versions a client had been acknowledged (a lost silo); the job keeps the
    /// largest report per restore and shows the loss in <see cref="ModelStatus.Losses"/>.
    /// </summary>
    Task ReportRegression(VersionRegression regression);
}
