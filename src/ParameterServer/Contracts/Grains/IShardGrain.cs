namespace ParameterServer.Contracts;

/// <summary>
/// One shard of a table: contiguous rows, their optimizer slots and version. Keyed "{model}/{table}/{shard}".
/// The single writer of its rows.
/// </summary>
public interface IShardGrain : IGrainWithStringKey
{
    /// <summary>Creates the shard's values from its spec; a no-op when it exists with the same setup.</summary>
    Task Initialize(ShardSetup setup);

    /// <summary>Applies (or under BSP buffers) a gradient with the table's optimizer.</summary>
    Task<PushReply> Push(PushRequest request);

    /// <summary>
    /// Applies a push whose bytes were sent on a lane to this shard's data port under <see cref="PushCommit.Token"/>,
    /// exactly as <see cref="Push"/> applies a payload. Each token is applied once: committed again (after a lane broke
    /// before its answer), it answers the first commit's reply while the shard remembers it (its recent commits);
    /// <see cref="ErrorCode.UnknownToken"/> when the silo holds nothing under it (nothing applied).
    /// </summary>
    Task<PushReply> CommitPush(PushCommit commit);

    /// <summary>Where the silo that hosts the shard takes lanes; null when it has no data port.</summary>
    Task<DataEndpoint?> GetDataEndpoint();

    /// <summary>Values and version of a row range, or null when the caller's version is current.</summary>
    Task<PullReply?> Pull(PullRequest request);

    /// <summary>BSP: applies the average of the gradients pushed for clocks up to <paramref name="clock"/> as one update.</summary>
    Task<long> ApplyClock(long clock);

    Task<ShardInfo> GetInfo();

    Task<ShardStats> GetStats();

    /// <summary>Writes a checkpoint now; returns the version written.</summary>
    Task<long> Checkpoint();
}
