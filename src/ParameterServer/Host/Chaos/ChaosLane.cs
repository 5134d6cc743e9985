using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ParameterServer.Contracts;
using ParameterServer.DataPlane;

namespace ParameterServer.Host.Chaos;

/// <summary>
/// A raw connection to a silo's data port: sends bytes as they are, however wrong, and reads what the silo answers.
/// Everything it does ends by its deadline, so a silo that never answers fails the request instead of hanging the run.
/// </summary>
internal sealed class ChaosLane : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _deadline;

    private ChaosLane(Socket socket, TimeSpan deadline)
    {
        _socket = socket;
        _deadline = new CancellationTokenSource(deadline);
    }

    public static async Task<ChaosLane> ConnectAsync(IPEndPoint endpoint, TimeSpan deadline)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var lane = new ChaosLane(socket, deadline);
        try
        {
            await socket.ConnectAsync(endpoint, lane._deadline.Token);
        }
        catch
        {
            lane.Dispose();
            throw;
        }
        return lane;
    }

    /// <summary>A well-formed header (<see cref="FrameHeader"/>'s layout) for a frame of <paramref name="payloadLength"/> bytes.</summary>
    public static byte[] Header(FrameKind kind, Guid token, string shardKey, int payloadLength, long version = 0, byte encoding = 0)
    {
        var header = new byte[FrameHeader.MaxLength];
        var length = new FrameHeader(kind, token, shardKey, payloadLength, version, encoding).WriteTo(header);
        return header[..length];
    }

    /// <summary>Recomputes the checksum of a header whose fields were changed after it was written.</summary>
    public static void Seal(byte[] header)
    {
        var checksummed = header.Length - FrameHeader.ChecksumLength;
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(checksummed), Crc32.HashToUInt32(header.AsSpan(0, checksummed)));
    }

    public async Task SendAsync(params ReadOnlyMemory<byte>[] parts)
    {
        foreach (var part in parts)
        {
            for (var sent = 0; sent < part.Length;)
                sent += await _socket.SendAsync(part[sent..], SocketFlags.None, _deadline.Token);
        }
    }

    /// <summary>Tells the silo that nothing more comes: it sees the end of the stream.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>
    /// The silo's answer to what was sent: the header of an ack or of pulled data (whose payload is read and dropped).
    /// An error frame is thrown as a <see cref="LaneException"/> with its code; a lane the silo closed without an answer
    /// as one with <see cref="LaneError.Disconnected"/>; no answer by the deadline as a <see cref="TimeoutException"/>.
    /// </summary>
    public async Task<FrameHeader> ReadAnswerAsync()
    {
        var header = new byte[FrameHeader.MaxLength];
        try
        {
            if (!await ReceiveAsync(header.AsMemory(0, FrameHeader.PrefixLength)))
                throw new LaneException(LaneError.Disconnected, "the silo closed the lane without an answer");
            var length = FrameHeader.PrefixLength + FrameHeader.ReadShardKeyLength(header) + FrameHeader.ChecksumLength;
            if (!await ReceiveAsync(header.AsMemory(FrameHeader.PrefixLength, length - FrameHeader.PrefixLength)))
                throw new IOException("the silo closed the lane inside an answer's header");
            var answer = FrameHeader.Parse(header.AsSpan(0, length), Limits.MaxShardBytes);
            var payload = new byte[answer.PayloadLength];
            if (!await ReceiveAsync(payload))
                throw new IOException("the silo closed the lane inside an answer's payload");
            if (answer.Kind == FrameKind.Error)
                throw new LaneException(answer.Error, Encoding.UTF8.GetString(payload));
            return answer;
        }
        catch (OperationCanceledException) when (_deadline.IsCancellationRequested)
        {
            throw new TimeoutException("the silo neither answered nor closed the lane by the deadline");
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _deadline.Dispose();
    }

    /// <summary>Fills <paramref name="buffer"/>; false when the silo closed (or reset) the lane before its first byte.</summary>
    private async Task<bool> ReceiveAsync(Memory<byte> buffer)
    {
        for (var total = 0; total < buffer.Length;)
        {
            int got;
            try
            {
                got = await _socket.ReceiveAsync(buffer[total..], SocketFlags.None, _deadline.Token);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                got = 0;
            }
            if (got == 0)
                return total == 0 ? false : throw new IOException($"the silo closed the lane after {total} of {buffer.Length} bytes");
            total += got;
        }
        return true;
    }
}
