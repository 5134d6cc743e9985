using System.Buffers;
using System.Runtime.InteropServices;
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
    private static readonly MessagePackSerializerOptions _options = MessagePackSerializerOptions.Standard.WithResolver(
        CompositeResolver.Create([RawFloatArrayFormatter.Instance], [StandardResolverAllowPrivate.Instance]));

    public BinaryData Serialize<T>(T? input) => new(Encode(input, out _));

    /// <summary>Throws <see cref="ParameterServerException"/> (<see cref="ErrorCode.CorruptCheckpoint"/>) when the envelope or the payload is bad.</summary>
    public T Deserialize<T>(BinaryData input) => Decode<T>(CheckpointEnvelope.Open(input.ToMemory(), out _));

    /// <summary>The framed checkpoint of <paramref name="value"/> and its checksum.</summary>
    internal ReadOnlyMemory<byte> Encode<T>(T? value, out ulong checksum)
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.GetSpan(CheckpointEnvelope.HeaderSize);
        buffer.Advance(CheckpointEnvelope.HeaderSize);
        MessagePackSerializer.Serialize(buffer, value, _options);

        // The header is filled in place once the payload is written, so the payload is never copied.
        MemoryMarshal.TryGetArray(buffer.WrittenMemory, out var checkpoint);
        checksum = CheckpointEnvelope.Seal(checkpoint);
        return checkpoint;
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
