using ParameterServer.Contracts;
using ParameterServer.DataPlane;
using ParameterServer.Grains.Shards;

namespace ParameterServer.Grains.DataPlane;

/// <summary>
/// A pull's snapshot waiting for its turn on the shard's activation scheduler: taken there, the copy never
/// interleaves with an update. Completes with the snapshot, or canceled when the lane stops waiting.
/// </summary>
internal sealed class SnapshotRequest
{
    private readonly TaskCompletionSource<ShardSnapshot> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ShardGrain _shard;
    private readonly long _knownVersion;
    private readonly TensorEncoding _encoding;
    private readonly BufferPool _pool;
    private readonly CancellationTokenRegistration _cancel;

    private SnapshotRequest(ShardGrain shard, long knownVersion, TensorEncoding encoding, BufferPool pool, CancellationToken ct)
    {
        _shard = shard;
        _knownVersion = knownVersion;
        _encoding = encoding;
        _pool = pool;
        // The lane's frame deadline ends the wait: a shard that deactivates meanwhile may never run the turn.
        _cancel = ct.Register(static state => ((SnapshotRequest)state!)._result.TrySetCanceled(), this);
    }

    /// <summary>Queues the snapshot on <paramref name="shard"/>'s scheduler.</summary>
    public static Task<ShardSnapshot> QueueAsync(ShardGrain shard, long knownVersion, TensorEncoding encoding, BufferPool pool, CancellationToken ct)
    {
        var request = new SnapshotRequest(shard, knownVersion, encoding, pool, ct);
        shard.GrainContext.Scheduler.QueueAction(static state => ((SnapshotRequest)state).Take(), request);
        return request._result.Task;
    }

    private void Take()
    {
        _cancel.Dispose();
        try
        {
            var snapshot = _shard.TakeSnapshot(_knownVersion, _encoding, _pool);
            if (!_result.TrySetResult(snapshot))
                snapshot.Lease?.Dispose(); // the lane stopped waiting: give the buffer back
        }
        catch (Exception e)
        {
            _result.TrySetException(e);
        }
    }
}
