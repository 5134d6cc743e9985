using System.Globalization;
using ParameterServer.Client;
using ParameterServer.Tests.Client;

namespace ParameterServer.Tests.Cli;

/// <summary>
/// <c>paramserver silo</c> run in-process through the CLI entry point, on free TCP ports (its data port included), with
/// a cluster id of its own: the executable as users start it, reached through its gateway. On the embedded defaults (localhost
/// clustering, checkpoints under a data directory) or, given an Azure Storage connection string, with Azure Table
/// clustering and Azure Blob checkpoints.
/// </summary>
internal sealed class InProcessSilo : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly StringWriter _error = new();
    private readonly string[] _clientArgs;
    private readonly Task<int> _run;

    private InProcessSilo(string dataDirectory, string clusterId, string? azure, string[] extraArgs)
    {
        GatewayPort = ConnectTests.FreePort();
        ClusterId = clusterId;
        Connection = new ConnectionOptions
        {
            Clustering = azure is null ? ClusteringKind.Localhost : ClusteringKind.Azure,
            ConnectionString = azure,
            GatewayPort = GatewayPort,
            ClusterId = ClusterId,
            ConnectTimeout = TimeSpan.FromSeconds(60),
        };
        string[] azureClustering = azure is null ? [] : ["--clustering", "azure", "--connection-string", azure];
        string[] blobStorage = azure is null ? [] : ["--storage", "blob", "--storage-connection-string", azure, "--container", clusterId];
        _clientArgs = azure is null ? ["--gateway-port", Text(GatewayPort)] : azureClustering;
        _run = ParameterServer.Host.Cli.RunAsync(
        [
            "silo", "--gateway-port", Text(GatewayPort), "--silo-port", Text(ConnectTests.FreePort()), "--data-port", "-1", "--cluster-id", ClusterId,
            "--data-dir", dataDirectory, .. azureClustering, .. blobStorage, .. extraArgs,
        ], TextWriter.Null, _error, _stop.Token);
    }

    public int GatewayPort { get; }

    public string ClusterId { get; }

    public ConnectionOptions Connection { get; }

    /// <summary>The CLI options that reach this silo.</summary>
    public string[] CliOptions => [.. _clientArgs, "--cluster-id", ClusterId, "--connect-timeout", "60"];

    /// <summary>Starts a silo and returns once a client can connect; a silo that exits first fails with its error line.</summary>
    public static async Task<InProcessSilo> StartAsync(string dataDirectory, string? clusterId = null, string? azure = null, params string[] extraArgs)
    {
        var silo = new InProcessSilo(dataDirectory, clusterId ?? $"ps-test-{Guid.NewGuid():N}", azure, extraArgs);
        var connect = ParameterServerClient.ConnectAsync(silo.Connection);
        if (await Task.WhenAny(silo._run, connect) == silo._run)
            throw new InvalidOperationException($"the silo exited with {await silo._run}: {silo._error}");
        await (await connect).DisposeAsync();
        return silo;
    }

    public Task<ParameterServerClient> ConnectAsync() => ParameterServerClient.ConnectAsync(Connection);

    /// <summary>Stops the silo as Ctrl-C does and returns its exit code and what it wrote to stderr.</summary>
    public async Task<(int Code, string Error)> StopAsync()
    {
        _stop.Cancel();
        var code = await _run.WaitAsync(TimeSpan.FromSeconds(60));
        return (code, _error.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_run.IsCompleted)
            await StopAsync();
        _stop.Dispose();
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
}
