using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using System.Text.Unicode;

namespace ParameterServer.DataPlane;

/// <summary>
/// The header in front of every frame on a lane, little-endian:
/// <code>
/// offset  size  field
///      0     4  magic "PSDP"
///      4     1  protocol version (1)
///      5     1  kind (FrameKind)
///      6     1  tensor encoding, opaque here (ParameterServer.Contracts.TensorEncoding)
///      7     1  error code (LaneError) of an Error frame, else 0
///      8    16  token (Guid.TryWriteBytes order)
///     24     4  payload length (int32)
///     28     8  version (int64): a pull's known version, a snapshot's version
///     36     2  shard key length n (uint16, at most MaxShardKeyBytes)
///     38     n  shard key, UTF-8
///   38+n     4  CRC-32 (IEEE) of bytes [0, 38+n)
/// </code>
/// then the payload. The checksum covers the header only: TCP already checks the payload, and a header
/// that lies about the length would desynchronize the lane.
/// </summary>
public readonly record struct FrameHeader(
    FrameKind Kind, Guid Token, string? ShardKey, int PayloadLength, long Version = 0, byte Encoding = 0, LaneError Error = LaneError.None)
{
    public const uint Magic = 0x50445350; // "PSDP" read as a little-endian uint32
    public const byte ProtocolVersion = 1;
    public const int PrefixLength = 38;
    public const int ChecksumLength = 4;
    /// <summary>Room for "{model}/{table}/{shard}" with names of up to 128 characters.</summary>
    public const int MaxShardKeyBytes = 512;
    public const int MaxLength = PrefixLength + MaxShardKeyBytes + ChecksumLength;
    /// <summary>Largest payload of a commit and of its answer: they describe a push, they do not carry one.</summary>
    public const int MaxCommitBytes = 4096;

    // Replaces nothing silently: a key that is not UTF-8 is refused, not turned into another shard's key.
    private static readonly UTF8Encoding _utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes the header; returns its length. A shard key over <see cref="MaxShardKeyBytes"/> is an <see cref="ArgumentException"/>.</summary>
    public int WriteTo(Span<byte> destination)
    {
        var key = ShardKey ?? "";
        var keyLength = _utf8.GetByteCount(key);
        if (keyLength > MaxShardKeyBytes)
            throw new ArgumentException($"shard key of {keyLength} UTF-8 bytes, at most {MaxShardKeyBytes}", nameof(ShardKey));
        _utf8.GetBytes(key, destination.Slice(PrefixLength, keyLength));
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        destination[4] = ProtocolVersion;
        destination[5] = (byte)Kind;
        destination[6] = Encoding;
        destination[7] = (byte)Error;
        Token.TryWriteBytes(destination.Slice(8, 16));
        BinaryPrimitives.WriteInt32LittleEndian(destination[24..], PayloadLength);
        BinaryPrimitives.WriteInt64LittleEndian(destination[28..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[36..], (ushort)keyLength);
        var checksummed = PrefixLength + keyLength;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[checksummed..], Crc32.HashToUInt32(destination[..checksummed]));
        return checksummed + ChecksumLength;
    }

    /// <summary>
    /// Checks the magic and version of a header's first <see cref="PrefixLength"/> bytes and returns its shard key
    /// length, so the reader knows how many bytes the header has left. Throws <see cref="LaneException"/> for a
    /// stream that cannot be trusted.
    /// </summary>
    public static int ReadShardKeyLength(ReadOnlySpan<byte> prefix)
    {
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
        if (magic != Magic)
            throw new LaneException(LaneError.BadMagic, $"bad magic 0x{magic:X8}, expected 0x{Magic:X8} (\"PSDP\")");
        if (prefix[4] != ProtocolVersion)
            throw new LaneException(LaneError.BadVersion, $"protocol version {prefix[4]}, this lane speaks {ProtocolVersion}");
        var keyLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[36..]);
        if (keyLength > MaxShardKeyBytes)
            throw new LaneException(LaneError.BadLength, $"shard key of {keyLength} bytes, at most {MaxShardKeyBytes}");
        return keyLength;
    }

    /// <summary>
    /// Parses a whole header. Throws <see cref="LaneException"/> for a bad magic, version, checksum, or a payload
    /// length that is negative or over <paramref name="maxPayloadBytes"/>: after those the lane cannot be trusted.
    /// An unknown kind or a shard key that is not UTF-8 (then <see cref="ShardKey"/> is null) parse: the frame's
    /// length is known, so the receiver refuses it and goes on.
    /// </summary>
    public static FrameHeader Parse(ReadOnlySpan<byte> header, int maxPayloadBytes)
    {
        var keyLength = ReadShardKeyLength(header);
        var checksummed = PrefixLength + keyLength;
        if (header.Length != checksummed + ChecksumLength)
            throw new ArgumentException($"a header with a {keyLength}-byte shard key is {checksummed + ChecksumLength} bytes, got {header.Length}", nameof(header));
        var expected = BinaryPrimitives.ReadUInt32LittleEndian(header[checksummed..]);
        var actual = Crc32.HashToUInt32(header[..checksummed]);
        if (expected != actual)
            throw new LaneException(LaneError.BadChecksum, $"header checksum 0x{expected:X8} does not match its bytes (0x{actual:X8})");
        var payloadLength = BinaryPrimitives.ReadInt32LittleEndian(header[24..]);
        if (payloadLength < 0)
            throw new LaneException(LaneError.BadLength, $"negative payload length {payloadLength}");
        if (payloadLength > maxPayloadBytes)
            throw new LaneException(LaneError.TooLarge, $"payload of {payloadLength} bytes exceeds the maximum of {maxPayloadBytes}");
        var key = header.Slice(PrefixLength, keyLength);
        return new FrameHeader(
            Kind: (FrameKind)header[5],
            Token: new Guid(header.Slice(8, 16)),
            ShardKey: Utf8.IsValid(key) ? _utf8.GetString(key) : null,
            PayloadLength: payloadLength,
            Version: BinaryPrimitives.ReadInt64LittleEndian(header[28..]),
            Encoding: header[6],
            Error: (LaneError)header[7]);
    }

    /// <summary>Throws an <see cref="ArgumentException"/> for a shard key that is empty or over <see cref="MaxShardKeyBytes"/>.</summary>
    public static void ValidateShardKey(string shardKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(shardKey);
        var length = _utf8.GetByteCount(shardKey);
        if (length > MaxShardKeyBytes)
            throw new ArgumentException($"shard key of {length} UTF-8 bytes, at most {MaxShardKeyBytes}", nameof(shardKey));
    }
}
