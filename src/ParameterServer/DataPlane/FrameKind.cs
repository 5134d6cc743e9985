namespace ParameterServer.DataPlane;

/// <summary>What a frame on a lane carries. A lane is request/reply: the client sends a push, a commit or a pull request,
/// the server answers each with exactly one frame that echoes the request's token. A commit may follow its push at
/// once, without waiting for the push's ack: the server answers both, in order.</summary>
public enum FrameKind : byte
{
    /// <summary>Client to server: gradient bytes to stage under the frame's token.</summary>
    PushData = 1,

    /// <summary>Client to server: asks for a shard's snapshot unless the client holds the header's version.</summary>
    PullRequest = 2,

    /// <summary>Server to client: a snapshot's bytes at the header's version.</summary>
    PullData = 3,

    /// <summary>Server to client: a push was staged, or a pull found the client's version current (no payload).</summary>
    Ack = 4,

    /// <summary>Server to client: a refusal; the header carries a <see cref="LaneError"/>, the payload a UTF-8 message.</summary>
    Error = 5,

    /// <summary>
    /// Client to server: commits the push staged under the header's token for the header's shard. The payload describes
    /// the commit (at most <see cref="FrameHeader.MaxCommitBytes"/>); lanes pass it as it is to the server's
    /// <see cref="IPushCommitter"/>.
    /// </summary>
    Commit = 6,

    /// <summary>Server to client: the committer's answer to a commit (at most <see cref="FrameHeader.MaxCommitBytes"/>), passed as it is.</summary>
    Committed = 7,
}
