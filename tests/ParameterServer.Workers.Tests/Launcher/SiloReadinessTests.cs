using System.Net;
using System.Net.Sockets;
using ParameterServer.WorkerHost.Launch;

namespace ParameterServer.Workers.Tests.Launcher;

public sealed class SiloReadinessTests
{
    private static readonly ChildCommand _sleep = new("sleep", []);
    private static readonly ChildCommand _shell = new("/bin/sh", []);

    [Fact]
    public async Task Ready_once_the_gateway_port_accepts_connections()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            await using var group = new ProcessGroup();
            var silo = group.Start("silo", _sleep, ["30"], runsToCompletion: false);

            await SiloReadiness.WaitAsync(silo, ((IPEndPoint)listener.LocalEndpoint).Port, TimeSpan.FromSeconds(10), CancellationToken.None);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task A_silo_that_exits_before_it_is_ready_fails()
    {
        await using var group = new ProcessGroup();
        var silo = group.Start("silo", _shell, ["-c", "echo bad config >&2; exit 4"], runsToCompletion: false);

        var e = await Assert.ThrowsAsync<ChildFailedException>(() =>
            SiloReadiness.WaitAsync(silo, UnusedPort(), TimeSpan.FromSeconds(10), CancellationToken.None));

        Assert.Equal("exited with code 4 before it was ready", e.Reason);
    }

    [Fact]
    public async Task A_silo_that_never_listens_times_out()
    {
        await using var group = new ProcessGroup();
        var silo = group.Start("silo", _sleep, ["30"], runsToCompletion: false);
        var port = UnusedPort();

        var e = await Assert.ThrowsAsync<ChildFailedException>(() =>
            SiloReadiness.WaitAsync(silo, port, TimeSpan.FromSeconds(1), CancellationToken.None));

        Assert.Equal($"did not accept connections on port {port} within 1 s", e.Reason);
    }

    private static int UnusedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
