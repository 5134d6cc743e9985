using System.Net;
using System.Net.Sockets;

namespace ParameterServer.Benchmarks.DataPlane;

/// <summary>
/// <see cref="RawCopyProtocol"/> on loopback with both ends in this process: one connection per request in flight,
/// each served by a task of its own.
/// </summary>
internal sealed class RawSocketCopy : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly NetworkStream[] _clients;
    private readonly byte[][] _scratch;
    private readonly List<Task> _serving = [];

    private RawSocketCopy(int connections)
    {
        _clients = new NetworkStream[connections];
        _scratch = new byte[connections][];
    }

    public static async Task<RawSocketCopy> StartAsync(int connections, byte[] snapshot)
    {
        var copy = new RawSocketCopy(connections);
        copy._listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        copy._listener.Listen();
        for (var i = 0; i < connections; i++)
        {
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await client.ConnectAsync(copy._listener.LocalEndPoint!);
            var server = await copy._listener.AcceptAsync();
            server.NoDelay = true;
            copy._clients[i] = new NetworkStream(client, ownsSocket: true);
            copy._scratch[i] = new byte[4];
            copy._serving.Add(RawCopyProtocol.ServeAsync(new NetworkStream(server, ownsSocket: true), snapshot, snapshot.Length));
        }
        return copy;
    }

    public Task PushAsync(int connection, ReadOnlyMemory<byte> payload) => RawCopyProtocol.PushAsync(_clients[connection], _scratch[connection], payload);

    public Task<int> PullAsync(int connection, Memory<byte> destination) => RawCopyProtocol.PullAsync(_clients[connection], _scratch[connection], destination);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            await client.DisposeAsync();
        _listener.Dispose();
        await Task.WhenAll(_serving);
    }
}
