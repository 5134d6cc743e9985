namespace ParameterServer.DataPlane;

/// <summary>
/// Where a lane server sends the commits that follow pushes on its lanes. The silo implements it with the shard's
/// commit grain call, so the shard stays the single writer of its values.
/// </summary>
public interface IPushCommitter
{
    /// <summary>
    /// Commits the push staged under <paramref name="token"/> for <paramref name="shardKey"/> in
    /// <paramref name="encoding"/>, as <paramref name="commit"/> describes (opaque to lanes: the client and the
    /// committer agree on it), writes the answer into <paramref name="answer"/> (<see cref="FrameHeader.MaxCommitBytes"/>
    /// long) and returns its length. An exception is answered as <see cref="LaneError.CommitFailed"/>.
    /// </summary>
    ValueTask<int> CommitAsync(Guid token, string shardKey, byte encoding, ReadOnlyMemory<byte> commit, Memory<byte> answer, CancellationToken ct);
}
