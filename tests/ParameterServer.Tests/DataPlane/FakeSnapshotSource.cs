using System.Collections.Concurrent;
using ParameterServer.DataPlane;

namespace ParameterServer.Tests.DataPlane;

/// <summary>Shards held as (version, bytes) in memory, as the silo's shard grains will hold their snapshots.</summary>
internal sealed class FakeSnapshotSource : ISnapshotSource
{
    private readonly ConcurrentDictionary<string, (long Version, byte[] Bytes)> _shards = new();

    public void Set(string shardKey, long version, byte[] bytes) => _shards[shardKey] = (version, bytes);

    /// <summary>When set, every request fails with this exception.</summary>
    public Exception? Failure { get; set; }

    public ValueTask<ShardSnapshot> GetSnapshotAsync(string shardKey, long knownVersion, byte encoding, CancellationToken ct)
    {
        if (Failure is not null)
            throw Failure;
        if (!_shards.TryGetValue(shardKey, out var shard))
            return ValueTask.FromResult(ShardSnapshot.Refuse(LaneError.UnknownShard, $"shard {shardKey} is not here"));
        return ValueTask.FromResult(shard.Version == knownVersion ? ShardSnapshot.Current(shard.Version) : ShardSnapshot.Of(shard.Version, shard.Bytes));
    }
}
