namespace ParameterServer.Contracts;

/// <summary>
/// Commits a push whose gradient bytes went on a lane to the shard's data port: the same fields as a
/// <see cref="PushRequest"/>, with the token the lane acknowledged in place of the payload.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PushCommit
{
    [Id(0)] public string WorkerId { get; init; } = "";
    /// <summary>As <see cref="PushRequest.Clock"/>.</summary>
    [Id(1)] public long Clock { get; init; } = -1;
    [Id(2)] public int RowOffset { get; init; }
    [Id(3)] public int RowCount { get; init; }
    /// <summary>The encoding the bytes were sent in; must match what the lane staged.</summary>
    [Id(4)] public TensorEncoding Encoding { get; init; }
    /// <summary>The single-use token the data port staged the bytes under.</summary>
    [Id(5)] public Guid Token { get; init; }
    /// <summary>As <see cref="PushRequest.Id"/>: the push's identity, the same on every transfer of its bytes.</summary>
    [Id(6)] public PushId Id { get; init; }
}
