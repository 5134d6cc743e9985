using Orleans.Concurrency;
using ParameterServer.Contracts;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Grains.Models;

/// <summary>
/// What a shard asks its model grain (keyed by the model's name) before it takes a request whose meaning only the job
/// knows. Silo-internal: clients see <see cref="IModelGrain"/> only. Both calls read the job's state and change nothing,
/// so they interleave: the model grain may be waiting on the very shard that asks (a create sets up its shards).
/// </summary>
public interface IModelAuthority : IGrainWithStringKey
{
    /// <summary>
    /// Completes when <paramref name="setup"/> is one of the shards of the model as recorded (being created, or
    /// created); <see cref="ErrorCode.UnknownModel"/> for a model that has no record, <see cref="ErrorCode.UnknownTable"/>
    /// or <see cref="ErrorCode.UnknownShard"/> for a shard its spec does not have, <see cref="ErrorCode.SpecMismatch"/>
    /// for one it has with another setup. A shard sets itself up only then, so no shard exists that its model does not list.
    /// </summary>
    [AlwaysInterleave]
    Task Vouch(ShardSetup setup);

    /// <summary>
    /// Completes when <paramref name="workerId"/> may push for a clock of this BSP job: a member, or one of a member's
    /// contributor ids "{member}.{suffix}" (a worker pushes each data partition's gradient under one of its own);
    /// <see cref="ErrorCode.UnknownWorker"/> otherwise.
    /// </summary>
    [AlwaysInterleave]
    Task CheckContributor(string workerId);
}
