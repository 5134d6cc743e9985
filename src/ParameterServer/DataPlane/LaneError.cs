namespace ParameterServer.DataPlane;

/// <summary>Why a frame or a lane request failed. Carried in error frames, and in <see cref="LaneException.Code"/>.</summary>
public enum LaneError : byte
{
    None = 0,

    // The stream can no longer be trusted: the lane is closed after the error frame.
    BadMagic = 1,
    BadVersion = 2,
    BadChecksum = 3,
    /// <summary>A negative payload length or a shard key longer than <see cref="FrameHeader.MaxShardKeyBytes"/>.</summary>
    BadLength = 4,
    /// <summary>A payload over the receiver's maximum.</summary>
    TooLarge = 5,
    /// <summary>The lane closed in the middle of a frame.</summary>
    Truncated = 6,
    /// <summary>The lane closed before the reply to a request began.</summary>
    Disconnected = 7,

    // The frame was read whole and refused: the lane goes on.
    /// <summary>A frame kind the receiver does not accept.</summary>
    BadKind = 10,
    /// <summary>An empty shard key, or one that is not UTF-8.</summary>
    BadShardKey = 11,
    /// <summary>Staging is at its memory cap (backpressure): retry later.</summary>
    Busy = 12,
    DuplicateToken = 13,
    /// <summary>The shard is not hosted behind this data port: re-resolve its endpoint.</summary>
    UnknownShard = 14,
    /// <summary>The request cannot be served (a snapshot source's refusal, a malformed request); the message says why.</summary>
    Refused = 15,
    /// <summary>The snapshot source failed.</summary>
    SnapshotFailed = 16,
    /// <summary>
    /// The committer failed, in a way that does not tell whether the push was applied (a grain call that timed out):
    /// ask the shard with the push's token.
    /// </summary>
    CommitFailed = 17,
    /// <summary>A commit for a token under which no push is staged for its shard here: nothing was applied.</summary>
    UnknownToken = 18,

    // Raised by the client only, never sent.
    /// <summary>No lane to the endpoint after the bounded retries: fall back to grain calls.</summary>
    Unavailable = 20,
    /// <summary>A reply that does not answer the request (wrong kind or token).</summary>
    UnexpectedFrame = 21,
    /// <summary>A snapshot larger than the caller's destination buffer.</summary>
    DestinationTooSmall = 22,
    /// <summary>
    /// A push and its commit went out, but the answer did not come: the push may have been applied.
    /// <see cref="LaneException.Token"/> names it, so that the shard can be asked.
    /// </summary>
    Unconfirmed = 23,
}

public static class LaneErrors
{
    /// <summary>
    /// True for a refusal of a frame that was read whole: the lane stays in step and carries the next request.
    /// Any other error leaves the stream position unknown, and the lane is closed.
    /// </summary>
    public static bool IsRefusal(this LaneError code) => code is LaneError.BadKind or LaneError.BadShardKey or LaneError.Busy
        or LaneError.DuplicateToken or LaneError.UnknownShard or LaneError.Refused or LaneError.SnapshotFailed
        or LaneError.CommitFailed or LaneError.UnknownToken;
}
