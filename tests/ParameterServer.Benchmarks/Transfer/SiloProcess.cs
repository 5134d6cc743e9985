using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ParameterServer.Benchmarks.Transfer;

/// <summary>
/// The <c>paramserver silo</c> the transfer benchmark measures: the executable built beside this one (the project
/// references the host), on free loopback ports with a data port, checkpoints pushed out of the measurement
/// (every 2e9 updates or 10 hours; the shards still write one when created).
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    public const string ClusterId = "transfer-benchmark";

    private readonly ChildProcess _process;

    private SiloProcess(ChildProcess process, int gatewayPort)
    {
        _process = process;
        GatewayPort = gatewayPort;
    }

    public int GatewayPort { get; }

    public int Pid => _process.Pid;

    public static SiloProcess Start(string dataDirectory)
    {
        // Both listeners stay open until both ports are known, so the two differ.
        using var silo = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var gateway = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silo.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        gateway.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var siloPort = ((IPEndPoint)silo.LocalEndPoint!).Port;
        var gatewayPort = ((IPEndPoint)gateway.LocalEndPoint!).Port;
        silo.Close();
        gateway.Close();
        var process = ChildProcess.Start("paramserver silo", Path.Combine(AppContext.BaseDirectory, "paramserver"),
        [
            "silo", "--silo-port", Text(siloPort), "--gateway-port", Text(gatewayPort), "--data-port", "-1", "--cluster-id", ClusterId,
            "--data-dir", dataDirectory, "--checkpoint-every", "2000000000", "--checkpoint-interval", "10:00:00",
        ]);
        return new SiloProcess(process, gatewayPort);
    }

    public Task WaitUntilReadyAsync() => _process.WaitForLineAsync("silo ready", TimeSpan.FromSeconds(90));

    public Task StopAsync() => _process.StopAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
}
