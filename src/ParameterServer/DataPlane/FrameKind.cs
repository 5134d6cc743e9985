namespace ParameterServer.DataPlane;

/// <summary>What a frame on a lane carries. A lane is request/reply: the client sends a push or a pull request,
/// the server answers it with exactly one frame that echoes the request's token.</summary>
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
}
