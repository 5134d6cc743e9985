using MessagePack;

namespace ParameterServer.Grains.Shards;

/// <summary>What a shard answered to one push of a writer, kept to answer a repetition of it the same way.</summary>
/// <param name="Sequence">The push's number among its writer's pushes to the shard; 0 in an empty slot.</param>
/// <param name="Version">The shard's version after the push.</param>
/// <param name="Applied">False when the push was buffered until its clock completes (BSP).</param>
[GenerateSerializer, Immutable, MessagePackObject]
public readonly record struct PushAcknowledgment(
    [property: Id(0), Key(0)] long Sequence,
    [property: Id(1), Key(1)] long Version,
    [property: Id(2), Key(2)] bool Applied);
