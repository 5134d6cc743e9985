namespace ParameterServer.DataPlane;

/// <summary>
/// Where a lane server sends the commits that follow pushes on its lanes. The silo implements it with the shard's
/// commit grain call, so the shard stays the single writer of its values.
/// </summary>
public interface IPushCommitter
{
    /// <summary>
    /// Looks at a push's bytes while they arrive, a piece at a time, each still in the processor's cache: returns how
    /// many leading bytes of <paramref name="bytes"/> it passed (whole values of <paramref name="encoding"/>; the rest
    /// comes again with the next piece), or -1 to stop screening this push. A push whose every byte passed is staged as
    /// <see cref="StagedPush.Screened"/>, so that its commit need not read the bytes once more to check them.
    /// </summary>
    int Screen(byte encoding, ReadOnlySpan<byte> bytes);

    /// <summary>
    /// Commits the push staged under <paramref name="token"/> for <paramref name="shardKey"/> in
    /// <paramref name="encoding"/>, as <paramref name="commit"/> describes (opaque to lanes: the client and the
    /// committer agree on it), writes the answer into <paramref name="answer"/> (<see cref="FrameHeader.MaxCommitBytes"/>
    /// long) and returns its length. An exception is answered as <see cref="LaneError.CommitFailed"/>.
    /// </summary>
    ValueTask<int> CommitAsync(Guid token, string shardKey, byte encoding, ReadOnlyMemory<byte> commit, Memory<byte> answer, CancellationToken ct);
}
