using ParameterServer.Contracts;

namespace ParameterServer.Client;

/// <summary>
/// What a client was told by each shard of a table: the activation that answered last and the highest version it
/// acknowledged. When a later activation answers and started from a version below that (a silo was lost and the shard
/// came back from its checkpoint), the acknowledged updates in between were lost: <see cref="Observe"/> returns the
/// regression for the job to record.
/// </summary>
internal sealed class ShardActivations(string[] shardKeys)
{
    private readonly long[] _activation = new long[shardKeys.Length];
    private readonly long[] _acknowledged = new long[shardKeys.Length];

    public VersionRegression? Observe(int shard, PushReply reply)
    {
        // A server that does not say which activation answered tells nothing.
        if (reply.Activation == 0)
            return null;
        lock (_activation)
        {
            var known = _activation[shard];
            // The late answer of an activation already replaced.
            if (reply.Activation < known)
                return null;
            if (reply.Activation == known)
            {
                _acknowledged[shard] = Math.Max(_acknowledged[shard], reply.Version);
                return null;
            }
            var lost = known != 0 && reply.RestoredVersion < _acknowledged[shard]
                ? new VersionRegression { Shard = shardKeys[shard], Activation = reply.Activation, RestoredVersion = reply.RestoredVersion, LastAcknowledged = _acknowledged[shard] }
                : null;
            _activation[shard] = reply.Activation;
            _acknowledged[shard] = reply.Version;
            return lost;
        }
    }
}
