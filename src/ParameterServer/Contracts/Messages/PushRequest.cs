namespace ParameterServer.Contracts;

/// <summary>
/// A gradient for rows [RowOffset, RowOffset + RowCount) of one shard. The payload is never copied by Orleans
/// ([Immutable]): the sender must not touch it after sending.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PushRequest
{
    [Id(0)] public string WorkerId { get; init; } = "";
    /// <summary>The step this gradient belongs to (under BSP the shard applies the pushes of one clock together); -1 outside the clock protocol.</summary>
    [Id(1)] public long Clock { get; init; } = -1;
    [Id(2)] public int RowOffset { get; init; }
    [Id(3)] public int RowCount { get; init; }
    [Id(4)] public TensorEncoding Encoding { get; init; }
    [Id(5)] public required byte[] Payload { get; init; }
    /// <summary>What the shard de-duplicates on: a repeated identity is answered, not applied again.</summary>
    [Id(6)] public PushId Id { get; init; }
}

/// <summary>The shard's answer to a push.</summary>
[GenerateSerializer, Immutable]
public sealed record PushReply
{
    /// <summary>The shard's version after the push (count of applied updates).</summary>
    [Id(0)] public long Version { get; init; }
    /// <summary>False when the gradient was buffered until its clock completes (BSP).</summary>
    [Id(1)] public bool Applied { get; init; }
    /// <summary>Which activation of the shard answered (UTC ticks when it started): a later one after a silo loss.</summary>
    [Id(2)] public long Activation { get; init; }
    /// <summary>The version this activation started from: its last checkpoint.</summary>
    [Id(3)] public long RestoredVersion { get; init; }
}
