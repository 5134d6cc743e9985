namespace ParameterServer.DataPlane;

/// <summary>
/// Where a lane server gets the bytes a pull asks for. The silo implements it over its shard grains' snapshots.
/// </summary>
public interface ISnapshotSource
{
    /// <summary>
    /// The shard's bytes in <paramref name="encoding"/> (ParameterServer.Contracts.TensorEncoding) at one version,
    /// never torn by a concurrent update; <see cref="ShardSnapshot.Current"/> when the caller already holds
    /// <paramref name="knownVersion"/> (-1: always send); or <see cref="ShardSnapshot.Refuse"/>, for instance
    /// <see cref="LaneError.UnknownShard"/> when the shard is not active on this silo. Exceptions are answered as
    /// <see cref="LaneError.SnapshotFailed"/>.
    /// </summary>
    ValueTask<ShardSnapshot> GetSnapshotAsync(string shardKey, long knownVersion, byte encoding, CancellationToken ct);
}
