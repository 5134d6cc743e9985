using System.Buffers.Binary;
using System.IO.Hashing;
using ParameterServer.Contracts;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Grains.Storage;

/// <summary>
/// The frame around every checkpoint, so that a truncated file, a flipped bit or a foreign file is refused
/// on read instead of loading wrong parameters. Layout, little-endian:
/// <code>
/// offset  0  4 bytes  magic "PSCK"
/// offset  4  4 bytes  format version (1)
/// offset  8  8 bytes  payload length in bytes
/// offset 16  8 bytes  XxHash64 of the payload (seed 0)
/// offset 24           payload (MessagePack)
/// </code>
/// The header needs no checksum of its own: a damaged magic, version or length fails its own check.
/// </summary>
public static class CheckpointEnvelope
{
    public const int HeaderSize = 24;

    public const uint FormatVersion = 1;

    /// <summary>"PSCK" read as a little-endian uint32.</summary>
    public const uint Magic = 0x4B435350;

    /// <summary>Fills the header in the first <see cref="HeaderSize"/> bytes for the payload after them; returns the checksum.</summary>
    public static ulong Seal(Span<byte> checkpoint)
    {
        var payload = checkpoint[HeaderSize..];
        var checksum = XxHash64.HashToUInt64(payload);
        BinaryPrimitives.WriteUInt32LittleEndian(checkpoint, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(checkpoint[4..], FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(checkpoint[8..], payload.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(checkpoint[16..], checksum);
        return checksum;
    }

    /// <summary>
    /// Verifies magic, version, length and checksum and returns the payload; throws
    /// <see cref="ParameterServerException"/> with <see cref="ErrorCode.CorruptCheckpoint"/> saying which check failed.
    /// </summary>
    public static ReadOnlyMemory<byte> Open(ReadOnlyMemory<byte> checkpoint, out ulong checksum)
    {
        var header = checkpoint.Span;
        if (header.Length < HeaderSize)
            throw Corrupt($"truncated to {header.Length} bytes, shorter than its {HeaderSize}-byte header");

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (magic != Magic)
            throw Corrupt($"bad magic 0x{magic:x8}, expected 0x{Magic:x8} (\"PSCK\"): not a checkpoint");

        var version = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (version != FormatVersion)
            throw Corrupt($"format version {version}, this build reads version {FormatVersion}");

        var announced = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        var present = checkpoint.Length - HeaderSize;
        if (announced > present)
            throw Corrupt($"truncated: the header announces {announced} payload bytes, {present} are present");
        if (announced < present)
            throw Corrupt($"{present - announced} bytes follow the {announced}-byte payload the header announces");

        checksum = BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);
        var payload = checkpoint[HeaderSize..];
        var computed = XxHash64.HashToUInt64(payload.Span);
        if (computed != checksum)
            throw Corrupt($"checksum mismatch: the header holds {checksum:x16}, the payload hashes to {computed:x16}");
        return payload;
    }

    private static ParameterServerException Corrupt(string reason) =>
        new(ErrorCode.CorruptCheckpoint, $"Corrupt checkpoint: {reason}.");
}
