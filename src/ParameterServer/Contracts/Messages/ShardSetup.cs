namespace ParameterServer.Contracts;

/// <summary>What a shard grain needs to serve its rows; sent by the model grain when the model is created.</summary>
[GenerateSerializer, Immutable]
public sealed record ShardSetup
{
    [Id(0)] public required string Model { get; init; }
    [Id(1)] public required TableSpec Table { get; init; }
    [Id(2)] public int Shard { get; init; }
    [Id(3)] public ConsistencyMode Consistency { get; init; }
}
