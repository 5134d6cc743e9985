using ParameterServer.Client;

namespace ParameterServer.Benchmarks.Processes;

/// <summary>
/// A real <c>paramserver silo</c> process for a benchmark: built by the benchmark's build (<see cref="Executables"/>),
/// on free loopback ports with a free data port, a cluster id of its own (so no other silo on a shared machine can
/// answer for it), and checkpoints in a fresh temporary folder pushed out of the measurement (every 2e9 updates or 10
/// hours; shards still write one when created). Ready once it logs "silo ready"; disposing it kills it by its PID
/// and deletes the folder.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    public const string ClusterId = "benchmark";

    private static readonly TimeSpan _readyTimeout = TimeSpan.FromSeconds(90);

    private readonly ChildProcess _process;
    private readonly DirectoryInfo _dataDirectory;

    private SiloProcess(ChildProcess process, DirectoryInfo dataDirectory, int gatewayPort)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        GatewayPort = gatewayPort;
    }

    public int GatewayPort { get; }

    public int Pid => _process.Pid;

    public static async Task<SiloProcess> StartAsync(CancellationToken ct = default)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("ps-bench-silo-");
        var ports = FreePorts.Take(2);
        var process = ChildProcess.Start("paramserver silo", Executables.Paramserver,
        [
            "silo", "--silo-port", $"{ports[0]}", "--gateway-port", $"{ports[1]}", "--data-port", "-1", "--cluster-id", ClusterId,
            "--data-dir", dataDirectory.FullName, "--checkpoint-every", "2000000000", "--checkpoint-interval", "10:00:00",
        ]);
        var silo = new SiloProcess(process, dataDirectory, ports[1]);
        try
        {
            await process.WaitForLineAsync("silo ready", _readyTimeout, ct);
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>How a client reaches this silo, with the data plane on or off.</summary>
    public ConnectionOptions Connection(DataPlaneOptions dataPlane) =>
        new() { GatewayPort = GatewayPort, ClusterId = ClusterId, ConnectTimeout = TimeSpan.FromSeconds(60), DataPlane = dataPlane };

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _dataDirectory.Delete(recursive: true);
    }
}
