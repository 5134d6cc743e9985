using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ParameterServer.DataPlane;

/// <summary>
/// One persistent TCP connection carrying frames, at either end. Not thread-safe: its owner runs one frame
/// exchange at a time. Payloads are received straight into the caller's memory, never through a copy.
/// </summary>
internal sealed class Lane : IDisposable
{
    /// <summary>Error messages are cut to this many characters so an error frame stays small (within <see cref="FrameHeader.MaxCommitBytes"/>).</summary>
    private const int MaxMessageChars = 500;
    /// <summary>UTF-8 takes at most 3 bytes per UTF-16 character.</summary>
    private const int MaxErrorPayloadBytes = 3 * MaxMessageChars;
    private const int DiscardBufferBytes = 64 << 10;

    private readonly Socket _socket;
    private readonly int _maxPayloadBytes;
    private readonly byte[] _receiveHeader = new byte[FrameHeader.MaxLength];
    // A header, and a payload small enough to travel with it in one send (a commit, an answer, an error message).
    private readonly byte[] _send = new byte[FrameHeader.MaxLength + FrameHeader.MaxCommitBytes];
    private byte[]? _discard;

    public Lane(Socket socket, int maxPayloadBytes)
    {
        socket.NoDelay = true; // a header is followed by its payload or by a wait for the reply: never hold it back
        _socket = socket;
        _maxPayloadBytes = maxPayloadBytes;
        Remote = socket.RemoteEndPoint;
    }

    public EndPoint? Remote { get; }

    /// <summary>
    /// Between exchanges nothing should arrive: a readable idle lane was closed or reset by its peer, or holds
    /// bytes nobody asked for. Either way it must not carry the next request.
    /// </summary>
    public bool IsOpen
    {
        get
        {
            try
            {
                return !_socket.Poll(0, SelectMode.SelectRead);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return false;
            }
        }
    }

    /// <summary>Waits until the peer sends the next frame's first bytes, or closes the lane; reads nothing.</summary>
    public async ValueTask WaitForFrameAsync(CancellationToken ct)
    {
        if (_socket.Available == 0)
            await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, ct); // a zero-byte read: completes when bytes arrive
    }

    /// <summary>The next frame's header, or null when the peer closed the lane between frames.</summary>
    public async ValueTask<FrameHeader?> ReadHeaderAsync(CancellationToken ct)
    {
        var got = await ReceiveAsync(_receiveHeader.AsMemory(0, FrameHeader.PrefixLength), ct);
        if (got == 0)
            return null;
        if (got < FrameHeader.PrefixLength)
            throw Truncated(got, FrameHeader.PrefixLength, "header");
        var rest = FrameHeader.ReadShardKeyLength(_receiveHeader) + FrameHeader.ChecksumLength;
        got = await ReceiveAsync(_receiveHeader.AsMemory(FrameHeader.PrefixLength, rest), ct);
        if (got < rest)
            throw Truncated(FrameHeader.PrefixLength + got, FrameHeader.PrefixLength + rest, "header");
        return FrameHeader.Parse(_receiveHeader.AsSpan(0, FrameHeader.PrefixLength + rest), _maxPayloadBytes);
    }

    public async ValueTask ReadPayloadAsync(Memory<byte> destination, CancellationToken ct)
    {
        var got = await ReceiveAsync(destination, ct);
        if (got < destination.Length)
            throw Truncated(got, destination.Length, "payload");
    }

    /// <summary>
    /// Reads a push's payload as <see cref="ReadPayloadAsync(Memory{byte}, CancellationToken)"/> does, handing each piece
    /// to <paramref name="committer"/>'s <see cref="IPushCommitter.Screen"/> as it arrives; returns whether every byte
    /// passed.
    /// </summary>
    public async ValueTask<bool> ReadPayloadAsync(Memory<byte> destination, IPushCommitter committer, byte encoding, CancellationToken ct)
    {
        var (received, screened) = (0, 0);
        while (received < destination.Length)
        {
            var got = await _socket.ReceiveAsync(destination[received..], SocketFlags.None, ct);
            if (got == 0)
                throw Truncated(received, destination.Length, "payload");
            received += got;
            if (screened >= 0)
            {
                var passed = committer.Screen(encoding, destination.Span[screened..received]);
                screened = passed < 0 ? -1 : screened + passed;
            }
        }
        return screened == destination.Length;
    }

    /// <summary>Reads and drops a refused frame's payload, so the next frame starts where the peer expects.</summary>
    public async ValueTask SkipPayloadAsync(int length, CancellationToken ct)
    {
        _discard ??= new byte[DiscardBufferBytes];
        while (length > 0)
        {
            var chunk = Math.Min(length, _discard.Length);
            await ReadPayloadAsync(_discard.AsMemory(0, chunk), ct);
            length -= chunk;
        }
    }

    /// <summary>Reads an error frame's message.</summary>
    public async ValueTask<string> ReadErrorMessageAsync(int length, CancellationToken ct)
    {
        if (length > MaxErrorPayloadBytes)
            throw new LaneException(LaneError.TooLarge, $"error message of {length} bytes, at most {MaxErrorPayloadBytes}");
        var bytes = new byte[length];
        await ReadPayloadAsync(bytes, ct);
        return Encoding.UTF8.GetString(bytes);
    }

    public async ValueTask SendAsync(FrameHeader header, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var length = header.WriteTo(_send);
        if (payload.Length <= FrameHeader.MaxCommitBytes)
        {
            payload.Span.CopyTo(_send.AsSpan(length));
            await SendAllAsync(_send.AsMemory(0, length + payload.Length), ct);
            return;
        }
        await SendAllAsync(_send.AsMemory(0, length), ct);
        await SendAllAsync(payload, ct);
    }

    public ValueTask SendErrorAsync(Guid token, LaneError code, string message, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(message.Length > MaxMessageChars ? message[..MaxMessageChars] : message);
        return SendAsync(new FrameHeader(FrameKind.Error, token, "", bytes.Length, Error: code), bytes, ct);
    }

    /// <summary>
    /// Closes after a last error frame so that the peer reads the frame rather than a reset: stop sending, then
    /// drop whatever the peer still sends until it closes too or <paramref name="linger"/> passes.
    /// </summary>
    public async Task CloseGracefullyAsync(TimeSpan linger)
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
            using var timeout = new CancellationTokenSource(linger);
            _discard ??= new byte[DiscardBufferBytes];
            while (await _socket.ReceiveAsync(_discard, SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer is gone or would not stop sending: a plain close is all that is left.
        }
        finally
        {
            Dispose();
        }
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>Fills <paramref name="buffer"/> unless the peer closes first; returns the bytes received.</summary>
    private async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken ct)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var got = await _socket.ReceiveAsync(buffer[total..], SocketFlags.None, ct);
            if (got == 0)
                break;
            total += got;
        }
        return total;
    }

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct)
    {
        while (!buffer.IsEmpty)
            buffer = buffer[await _socket.SendAsync(buffer, SocketFlags.None, ct)..];
    }

    private static LaneException Truncated(int got, int expected, string part) =>
        new(LaneError.Truncated, $"the lane closed after {got} of {expected} bytes of a frame {part}");
}
