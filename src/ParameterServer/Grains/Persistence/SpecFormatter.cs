using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace ParameterServer.Grains.Persistence;

/// <summary>
/// Stores a contract spec record (ModelSpec, ShardSetup, ...) inside a MessagePack checkpoint by property name,
/// so the contracts need no MessagePack attributes and old checkpoints survive added properties.
/// </summary>
public sealed class SpecFormatter<T> : IMessagePackFormatter<T?> where T : class
{
    private static readonly MessagePackSerializerOptions Contractless = MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance);

    public void Serialize(ref MessagePackWriter writer, T? value, MessagePackSerializerOptions options) =>
        MessagePackSerializer.Serialize(ref writer, value, Contractless);

    public T? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        MessagePackSerializer.Deserialize<T?>(ref reader, Contractless);
}
