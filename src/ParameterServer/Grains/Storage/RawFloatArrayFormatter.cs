using System.Buffers;
using System.Runtime.InteropServices;
using MessagePack;
using MessagePack.Formatters;

namespace ParameterServer.Grains.Storage;

/// <summary>
/// Writes a float[] as one msgpack bin blob of its raw little-endian IEEE 754 bytes: 4 bytes per value
/// instead of the standard formatter's 5 (a float32 marker before each value), written and read as one
/// block copy instead of a loop over the elements.
/// </summary>
public sealed class RawFloatArrayFormatter : IMessagePackFormatter<float[]?>
{
    public static readonly RawFloatArrayFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, float[]? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        ThrowIfBigEndian();
        var bytes = MemoryMarshal.AsBytes(value.AsSpan());
        writer.WriteBinHeader(bytes.Length);
        writer.WriteRaw(bytes);
    }

    public float[]? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
            return null;

        ThrowIfBigEndian();
        var bytes = reader.ReadBytes()!.Value;
        if (bytes.Length % sizeof(float) != 0)
            throw new MessagePackSerializationException($"A float[] blob of {bytes.Length} bytes is not a whole number of 4-byte floats.");

        // Every element is overwritten by the copy, so the array need not be zeroed first.
        var values = GC.AllocateUninitializedArray<float>((int)(bytes.Length / sizeof(float)));
        bytes.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    // The blob holds the machine's own float bytes; on a big-endian machine they would be read back wrong.
    private static void ThrowIfBigEndian()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Checkpoints store floats little-endian; this machine is big-endian.");
    }
}
