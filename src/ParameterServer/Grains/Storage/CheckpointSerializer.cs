using MessagePack;
using MessagePack.Resolvers;
using Orleans.Storage;
using ParameterServer.Contracts;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Grains.Storage;

/// <summary>
/// Grain state as MessagePack (types annotated with [MessagePackObject] and [Key(n)], public or internal)
/// inside a <see cref="CheckpointEnvelope"/>; float[] is written as raw bytes by <see cref="RawFloatArrayFormatter"/>.
/// Every checkpoint storage provider uses it, so a checkpoint reads the same from a directory or a blob.
/// </summary>
public sealed class CheckpointSerializer : IGrainStorageSerializer
{
    private const int InitialBufferBytes = 64 << 10;

    private static readonly MessagePackSerializerOptions _options = MessagePackSerializerOptions.Standard.WithResolver(
        CompositeResolver.Create([RawFloatArrayFormatter.Instance], [StandardResolverAllowPrivate.Instance]));

    public BinaryData Serialize<T>(T? input)
    {
        using var checkpoint = Encode(input, out _);
        // The caller owns what it gets back, so the checkpoint leaves the pooled buffer in one copy.
        return new BinaryData(checkpoint.WrittenMemory.ToArray());
    }

    /// <summary>Throws <see cref="ParameterServerException"/> (<see cref="ErrorCode.CorruptCheckpoint"/>) when the envelope or the payload is bad.</summary>
    public T Deserialize<T>(BinaryData input) => Decode<T>(CheckpointEnvelope.Open(input.ToMemory(), out _));

    /// <summary>The framed checkpoint of <paramref name="value"/> in a pooled buffer, which the caller disposes, and its checksum.</summary>
    internal PooledBufferWriter Encode<T>(T? value, out ulong checksum)
    {
        var buffer = new PooledBufferWriter(InitialBufferBytes);
        buffer.GetSpan(CheckpointEnvelope.HeaderSize);
        buffer.Advance(CheckpointEnvelope.HeaderSize);
        MessagePackSerializer.Serialize(buffer, value, _options);
        // The header is filled in place once the payload is written, so the payload is never moved.
        checksum = CheckpointEnvelope.Seal(buffer.WrittenSpan);
        return buffer;
    }

    /// <summary>Decodes a payload that <see cref="CheckpointEnvelope.Open"/> has verified.</summary>
    internal T Decode<T>(ReadOnlyMemory<byte> payload)
    {
        try
        {
            return MessagePackSerializer.Deserialize<T>(payload, _options);
        }
        catch (MessagePackSerializationException e)
        {
            throw new ParameterServerException(ErrorCode.CorruptCheckpoint,
                $"Checkpoint passed its checksum but does not decode as {typeof(T).Name}: {e.GetBaseException().Message}", e);
        }
    }
}
