using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace ParameterServer.Benchmarks.DataPlane;

/// <summary>
/// The reference the lanes are measured against: plain .NET sockets on loopback with the same request/reply shape
/// (a push is length + bytes answered by a one-byte ack; a pull is a one-byte request answered by length + bytes),
/// one request at a time per connection, fixed buffers, no framing, no validation, no pooling.
/// </summary>
internal sealed class RawSocketCopy : IAsyncDisposable
{
    private const byte Push = 1, Pull = 2;

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly NetworkStream[] _clients;
    private readonly byte[][] _replyScratch;
    private readonly List<Task> _serving = [];
    private readonly byte[] _snapshot;

    private RawSocketCopy(int connections, byte[] snapshot)
    {
        _clients = new NetworkStream[connections];
        _replyScratch = new byte[connections][];
        _snapshot = snapshot;
    }

    public static async Task<RawSocketCopy> StartAsync(int connections, byte[] snapshot)
    {
        var copy = new RawSocketCopy(connections, snapshot);
        copy._listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        copy._listener.Listen();
        for (var i = 0; i < connections; i++)
        {
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await client.ConnectAsync(copy._listener.LocalEndPoint!);
            var server = await copy._listener.AcceptAsync();
            server.NoDelay = true;
            copy._clients[i] = new NetworkStream(client, ownsSocket: true);
            copy._replyScratch[i] = new byte[4];
            copy._serving.Add(copy.ServeAsync(new NetworkStream(server, ownsSocket: true), snapshot.Length));
        }
        return copy;
    }

    public async Task PushAsync(int connection, ReadOnlyMemory<byte> payload)
    {
        var stream = _clients[connection];
        var header = _replyScratch[connection];
        header[0] = Push;
        await stream.WriteAsync(header.AsMemory(0, 1));
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
        await stream.WriteAsync(header);
        await stream.WriteAsync(payload);
        await stream.ReadExactlyAsync(header.AsMemory(0, 1));
    }

    public async Task<int> PullAsync(int connection, Memory<byte> destination)
    {
        var stream = _clients[connection];
        var header = _replyScratch[connection];
        header[0] = Pull;
        await stream.WriteAsync(header.AsMemory(0, 1));
        await stream.ReadExactlyAsync(header);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        await stream.ReadExactlyAsync(destination[..length]);
        return length;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            await client.DisposeAsync();
        _listener.Dispose();
        await Task.WhenAll(_serving);
    }

    private async Task ServeAsync(NetworkStream stream, int bufferBytes)
    {
        var buffer = new byte[bufferBytes];
        var header = new byte[4];
        try
        {
            while (await stream.ReadAsync(header.AsMemory(0, 1)) == 1)
            {
                if (header[0] == Push)
                {
                    await stream.ReadExactlyAsync(header);
                    await stream.ReadExactlyAsync(buffer.AsMemory(0, BinaryPrimitives.ReadInt32LittleEndian(header)));
                    await stream.WriteAsync(header.AsMemory(0, 1));
                }
                else
                {
                    BinaryPrimitives.WriteInt32LittleEndian(header, _snapshot.Length);
                    await stream.WriteAsync(header);
                    await stream.WriteAsync(_snapshot);
                }
            }
        }
        catch (IOException)
        {
            // The client side closed: the benchmark is over.
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }
}
