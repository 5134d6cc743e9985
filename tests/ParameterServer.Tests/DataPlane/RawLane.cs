using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace ParameterServer.Tests.DataPlane;

/// <summary>
/// A hand-written client of the lane wire format, independent of the library's framing code: it lays out headers
/// byte by byte from the documented layout, so that tests can send frames the library would never write.
/// </summary>
internal sealed class RawLane : IDisposable
{
    public const uint Magic = 0x50445350; // "PSDP"
    public const byte PushData = 1, PullRequest = 2, PullData = 3, Ack = 4, Error = 5, Commit = 6, Committed = 7;

    private readonly Socket _socket;

    private RawLane(Socket socket) => _socket = socket;

    public static async Task<RawLane> ConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint);
        return new RawLane(socket);
    }

    /// <summary>
    /// offset 0 magic u32 | 4 protocol u8 | 5 kind u8 | 6 encoding u8 | 7 error u8 | 8 token 16 bytes | 24 length i32 |
    /// 28 version i64 | 36 key length u16 | 38 key | CRC-32 of all before it, u32. All little-endian.
    /// </summary>
    public static byte[] Header(byte kind, Guid token, byte[] key, int payloadLength, long version = 0, byte encoding = 0,
        uint magic = Magic, byte protocol = 1, bool breakChecksum = false)
    {
        var header = new byte[38 + key.Length + 4];
        BinaryPrimitives.WriteUInt32LittleEndian(header, magic);
        header[4] = protocol;
        header[5] = kind;
        header[6] = encoding;
        token.TryWriteBytes(header.AsSpan(8, 16));
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(24), payloadLength);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(28), version);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(36), (ushort)key.Length);
        key.CopyTo(header, 38);
        var crc = Crc32.HashToUInt32(header.AsSpan(0, 38 + key.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(38 + key.Length), breakChecksum ? crc ^ 0x1 : crc);
        return header;
    }

    public static byte[] Header(byte kind, Guid token, string key, int payloadLength, long version = 0, byte encoding = 0,
        uint magic = Magic, byte protocol = 1, bool breakChecksum = false) =>
        Header(kind, token, Encoding.UTF8.GetBytes(key), payloadLength, version, encoding, magic, protocol, breakChecksum);

    public async Task SendAsync(params byte[][] parts)
    {
        foreach (var part in parts)
            await _socket.SendAsync(part);
    }

    /// <summary>Says no more bytes will come from this side (the server sees end of stream).</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>The next frame, or null when the server closed the lane.</summary>
    public async Task<Reply?> ReadAsync()
    {
        var prefix = new byte[38];
        if (!await ReceiveAsync(prefix))
            return null;
        Assert.Equal(Magic, BinaryPrimitives.ReadUInt32LittleEndian(prefix));
        var keyLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix.AsSpan(36));
        var rest = new byte[keyLength + 4];
        Assert.True(await ReceiveAsync(rest), "the lane closed inside a reply header");
        var expectedCrc = Crc32.HashToUInt32([.. prefix, .. rest.AsSpan(0, keyLength)]);
        Assert.Equal(expectedCrc, BinaryPrimitives.ReadUInt32LittleEndian(rest.AsSpan(keyLength)));
        var payload = new byte[BinaryPrimitives.ReadInt32LittleEndian(prefix.AsSpan(24))];
        Assert.True(await ReceiveAsync(payload), "the lane closed inside a reply payload");
        return new Reply(prefix[5], prefix[7], new Guid(prefix.AsSpan(8, 16)), BinaryPrimitives.ReadInt64LittleEndian(prefix.AsSpan(28)), payload);
    }

    public void Dispose() => _socket.Dispose();

    private async Task<bool> ReceiveAsync(byte[] buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            int got;
            try
            {
                got = await _socket.ReceiveAsync(buffer.AsMemory(total));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                got = 0;
            }
            if (got == 0)
            {
                if (total == 0)
                    return false;
                throw new EndOfStreamException($"the lane closed after {total} of {buffer.Length} bytes");
            }
            total += got;
        }
        return true;
    }

    public sealed record Reply(byte Kind, byte Code, Guid Token, long Version, byte[] Payload)
    {
        public string Message => Encoding.UTF8.GetString(Payload);
    }
}
