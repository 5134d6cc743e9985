namespace ParameterServer.Contracts;

/// <summary>
/// One shard of a table: contiguous rows, their optimizer slots and version. Keyed "{model}/{table}/{shard}".
/// The single writer of its rows.
/// </summary>
public interface IShardGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the shard's values from its spec; a no-op when it exists with the same setup. Only a setup its model's
    /// record lists is taken (the model's create sets its shards up): otherwise <see cref="ErrorCode.UnknownModel"/>,
    /// <see cref="ErrorCode.UnknownTable"/>, <see cref="ErrorCode.UnknownShard"/> or <see cref="ErrorCode.SpecMismatch"/>.
    /// </summary>
    Task Initialize(ShardSetup setup);

    /// <summary>
    /// Applies (or under BSP buffers) a gradient with the table's optimizer. A push whose <see cref="PushRequest.Id"/>
    /// the shard took before is answered as it was then and not applied again (<see cref="ErrorCode.StalePush"/> when it
    /// is too old to tell); a push without an identity is applied every time. Under BSP a push for a clock counts in
    /// that clock's average and must come from a worker of the job (<see cref="ErrorCode.UnknownWorker"/> otherwise);
    /// a push with clock -1 is applied at once.
    /// </summary>
    Task<PushReply> Push(PushRequest request);

    /// <summary>
    /// Applies a push whose bytes were sent on a lane to this shard's data port under <see cref="PushCommit.Token"/>,
    /// exactly as <see cref="Push"/> applies a payload, de-duplicated on <see cref="PushCommit.Id"/> the same way. The
    /// data port commits on the client's behalf; a client whose lane broke before the answer commits the token again,
    /// and a push the shard took is answered from its record of taken pushes though its bytes are gone.
    /// <see cref="ErrorCode.UnknownToken"/> when the push was not taken and the silo holds nothing under the token
    /// (nothing applied).
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
