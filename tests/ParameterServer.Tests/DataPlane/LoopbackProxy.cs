using System.Net;
using System.Net.Sockets;

namespace ParameterServer.Tests.DataPlane;

/// <summary>
/// Forwards loopback connections to a lane server and can break them: the next connection accepted is cut (both
/// sockets closed) once a set number of bytes went one way, as a lane killed mid-transfer; <see cref="DropAll"/>
/// closes every open connection, as a server restart; <see cref="RefuseConnections"/> closes each one as it comes, as a
/// data port nobody can reach.
/// </summary>
internal sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly IPEndPoint _target;
    private readonly List<Socket> _open = [];
    private readonly Task _accepting;
    private int _connections;

    public LoopbackProxy(IPEndPoint target)
    {
        _target = target;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        _accepting = AcceptAsync();
    }

    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndPoint!;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Cut the next connection after this many bytes from client to server.</summary>
    public long CutUpstreamAfter { get; set; } = long.MaxValue;

    /// <summary>Cut the next connection after this many bytes from server to client.</summary>
    public long CutDownstreamAfter { get; set; } = long.MaxValue;

    /// <summary>Close every connection as soon as it is accepted.</summary>
    public bool RefuseConnections { get; set; }

    public void DropAll()
    {
        lock (_open)
        {
            foreach (var socket in _open)
                socket.Dispose();
            _open.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _accepting;
        DropAll();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            if (RefuseConnections)
            {
                client.Dispose();
                continue;
            }
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await server.ConnectAsync(_target);
            lock (_open)
                _open.AddRange([client, server]);
            // A cut applies to one connection.
            var (upstream, downstream) = (CutUpstreamAfter, CutDownstreamAfter);
            (CutUpstreamAfter, CutDownstreamAfter) = (long.MaxValue, long.MaxValue);
            _ = PumpAsync(client, server, upstream);
            _ = PumpAsync(server, client, downstream);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, long cutAfter)
    {
        var buffer = new byte[64 << 10];
        try
        {
            while (true)
            {
                var got = await from.ReceiveAsync(buffer);
                if (got == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                var forward = (int)Math.Min(got, cutAfter);
                await to.SendAsync(buffer.AsMemory(0, forward));
                cutAfter -= forward;
                if (cutAfter == 0)
                {
                    from.Dispose();
                    to.Dispose();
                    return;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
