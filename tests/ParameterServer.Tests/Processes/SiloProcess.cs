using System.Globalization;
using ParameterServer.Client;
using ParameterServer.Tests.Client;

namespace ParameterServer.Tests.Processes;

/// <summary>
/// A <c>paramserver silo</c> process on free loopback ports (the data port too): with Azure Table clustering and Azure Blob checkpoints
/// given a connection string, else localhost clustering and checkpoints under a data directory.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private readonly ChildProcess _process;

    private SiloProcess(ChildProcess process, int siloPort, int gatewayPort)
    {
        _process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    public string Name => _process.Name;

    public int Pid => _process.Pid;

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public (int Silo, int Gateway) Ports => (SiloPort, GatewayPort);

    public bool HasExited => _process.HasExited;

    public string Output => _process.Output;

    /// <summary>Whether a silo address (as <see cref="Contracts.ShardInfo.Silo"/> shows it, "S127.0.0.1:PORT:GENERATION") is this silo's.</summary>
    public bool Hosts(string siloAddress) => siloAddress.Contains($":{SiloPort}:", StringComparison.Ordinal);

    /// <summary>Starts a silo and returns once it has logged that it is ready.</summary>
    /// <param name="directory">Where its log goes.</param>
    /// <param name="name">Names the log file, DIRECTORY/NAME.log.</param>
    /// <param name="options">The cluster id, storage and checkpoint options, and any --Section:Key settings.</param>
    /// <param name="ports">
    /// The silo and gateway ports of a silo this one replaces (a restart): a silo on the same address and a later
    /// generation tells the cluster that the old one is dead. Free ports when null.
    /// </param>
    public static async Task<SiloProcess> StartAsync(string directory, string name, IEnumerable<string> options, (int Silo, int Gateway)? ports = null)
    {
        var siloPort = ports?.Silo ?? ConnectTests.FreePort();
        var gatewayPort = ports?.Gateway ?? ConnectTests.FreePort();
        var process = ChildProcess.Start(name, Repository.Dotnet,
        [
            // Any free data port: silos of one test, a restarted silo and anything else on the machine never collide on it.
            Repository.ParamServer, "silo", "--silo-port", Text(siloPort), "--gateway-port", Text(gatewayPort), "--data-port", "-1", .. options,
        ], Path.Combine(directory, $"{name}.log"));
        var silo = new SiloProcess(process, siloPort, gatewayPort);
        try
        {
            await process.WaitForOutputAsync("silo ready", ReadyTimeout);
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
        return silo;
    }

    /// <summary>
    /// The options of a silo of an Azure cluster on loopback: Azure Table clustering and Azure Blob checkpoints on one
    /// storage account.
    /// </summary>
    public static string[] AzureOptions(string clusterId, string connectionString) =>
    [
        "--cluster-id", clusterId, "--clustering", "azure", "--connection-string", connectionString, "--advertised-address", "127.0.0.1",
        "--storage", "blob", "--storage-connection-string", connectionString, "--container", clusterId,
    ];

    /// <summary>How a client reaches the cluster of <see cref="AzureOptions"/>.</summary>
    public static ConnectionOptions AzureConnection(string clusterId, string connectionString) => new()
    {
        Clustering = ClusteringKind.Azure, ConnectionString = connectionString, ClusterId = clusterId, ConnectTimeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>kill -9: no deactivation, no last checkpoint.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGTERM: deactivates the shards, which writes their checkpoints.</summary>
    public Task StopAsync() => _process.StopAsync(TimeSpan.FromSeconds(60));

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
}
