using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ParameterServer.Benchmarks.DataPlane;
using ParameterServer.Benchmarks.Processes;

namespace ParameterServer.Benchmarks.Transfer;

/// <summary>
/// The raw socket end of the transfer benchmark in a process of its own, as the silo is: <c>raw-peer --bytes N</c>
/// listens on a free loopback port, prints it, and serves <see cref="RawCopyProtocol"/> on every connection until its
/// standard input closes (its parent ended) or it is killed. <see cref="StartAsync"/> runs it and connects to it.
/// </summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private const string ListeningMarker = "raw peer listening on port ";

    private readonly ChildProcess _process;
    private readonly NetworkStream[] _connections;
    private readonly byte[][] _scratch;

    private RawPeer(ChildProcess process, NetworkStream[] connections)
    {
        _process = process;
        _connections = connections;
        _scratch = [.. connections.Select(_ => new byte[4])];
    }

    public int Pid => _process.Pid;

    /// <summary>The peer's main: serves until stdin closes.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var bytes = Options.Int(args, "--bytes", 4 << 20);
        var snapshot = new byte[bytes];
        new Random(1).NextBytes(snapshot);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        Console.WriteLine($"{ListeningMarker}{((IPEndPoint)listener.LocalEndPoint!).Port}");
        var parentGone = Task.Run(() => Console.In.ReadToEnd());
        while (true)
        {
            var accept = listener.AcceptAsync();
            if (await Task.WhenAny(accept, parentGone) == parentGone)
                return 0;
            var socket = await accept;
            socket.NoDelay = true;
            _ = RawCopyProtocol.ServeAsync(new NetworkStream(socket, ownsSocket: true), snapshot, bytes);
        }
    }

    /// <summary>Starts a peer process of this executable and opens <paramref name="connections"/> connections to it.</summary>
    public static async Task<RawPeer> StartAsync(int bytes, int connections, CancellationToken ct = default)
    {
        // Run as an apphost, or as `dotnet ParameterServer.Benchmarks.dll`.
        var self = Environment.ProcessPath!;
        string[] prefix = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [typeof(RawPeer).Assembly.Location] : [];
        var process = ChildProcess.Start("raw peer", self, [.. prefix, "raw-peer", "--bytes", bytes.ToString(CultureInfo.InvariantCulture)]);
        try
        {
            var line = await process.WaitForLineAsync(ListeningMarker, TimeSpan.FromSeconds(30), ct);
            var port = int.Parse(line[(line.IndexOf(ListeningMarker, StringComparison.Ordinal) + ListeningMarker.Length)..], CultureInfo.InvariantCulture);
            var streams = new NetworkStream[connections];
            for (var i = 0; i < connections; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
                streams[i] = new NetworkStream(socket, ownsSocket: true);
            }
            return new RawPeer(process, streams);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public Task PushAsync(int connection, ReadOnlyMemory<byte> payload) => RawCopyProtocol.PushAsync(_connections[connection], _scratch[connection], payload);

    public Task<int> PullAsync(int connection, Memory<byte> destination) => RawCopyProtocol.PullAsync(_connections[connection], _scratch[connection], destination);

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
            await connection.DisposeAsync();
        await _process.DisposeAsync();
    }
}
