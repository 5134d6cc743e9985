namespace ParameterServer.Contracts;

/// <summary>Asks for rows [RowOffset, RowOffset + RowCount) of one shard unless the caller already holds KnownVersion.</summary>
[GenerateSerializer, Immutable]
public sealed record PullRequest
{
    /// <summary>The version the caller holds; -1 to always receive values.</summary>
    [Id(0)] public long KnownVersion { get; init; } = -1;
    [Id(1)] public int RowOffset { get; init; }
    [Id(2)] public int RowCount { get; init; }
    [Id(3)] public TensorEncoding Encoding { get; init; }
}

/// <summary>Values of the requested rows at one version, never torn by a concurrent update.</summary>
[GenerateSerializer, Immutable]
public sealed record PullReply
{
    [Id(0)] public long Version { get; init; }
    [Id(1)] public required byte[] Payload { get; init; }
}
