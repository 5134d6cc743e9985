namespace ParameterServer.Contracts;

/// <summary>
/// The identity a shard de-duplicates a push on: the writer that sent it (the client picks a random one per open
/// model) and its number among that writer's pushes to this shard, counted from 1. A shard applies an identity once
/// and answers it again with the acknowledgment of the first time, so a push whose answer was lost can be sent again.
/// <see cref="None"/> (no writer) opts out: such a push is applied every time it arrives.
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct PushId([property: Id(0)] Guid Writer, [property: Id(1)] long Sequence)
{
    /// <summary>No identity: the push is not de-duplicated.</summary>
    public static readonly PushId None = default;

    public bool IsNone => Writer == Guid.Empty;

    public override string ToString() => IsNone ? "none" : $"{Writer:N}#{Sequence}";
}
