using System.Diagnostics;
using System.Net.Sockets;
using ParameterServer.Tests.Client;

namespace ParameterServer.Tests.Processes;

/// <summary>
/// An Azurite of a test's own (blob and table service) on free loopback ports, with its data in a directory, so that
/// a test can stop it and start it again on the same ports and data: the storage service going away and coming back.
/// </summary>
internal sealed class AzuriteProcess : IAsyncDisposable
{
    // The emulator's well-known development account and key.
    private const string Account = "devstoreaccount1";
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string _directory;
    private readonly int _blobPort;
    private readonly int _queuePort = ConnectTests.FreePort();
    private readonly int _tablePort;
    private ChildProcess? _process;

    private AzuriteProcess(string directory, int blobPort, int tablePort)
    {
        _directory = directory;
        _blobPort = blobPort;
        _tablePort = tablePort;
    }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={Key};" +
        $"BlobEndpoint=http://127.0.0.1:{_blobPort}/{Account};TableEndpoint=http://127.0.0.1:{_tablePort}/{Account};";

    public int? Pid => _process?.Pid;

    /// <summary>Starts one with its data in DIRECTORY/azurite, on free ports.</summary>
    public static Task<AzuriteProcess> StartAsync(string directory) => StartAsync(directory, ConnectTests.FreePort(), ConnectTests.FreePort());

    /// <summary>
    /// Starts one in place of another that served <paramref name="connectionString"/> with its data in DIRECTORY/azurite
    /// (deploy/local-cluster.sh's, for one): same data, same blob and table ports.
    /// </summary>
    public static Task<AzuriteProcess> ReplaceAsync(string directory, string connectionString) =>
        StartAsync(directory, EndpointPort(connectionString, "BlobEndpoint"), EndpointPort(connectionString, "TableEndpoint"));

    private static async Task<AzuriteProcess> StartAsync(string directory, int blobPort, int tablePort)
    {
        var azurite = new AzuriteProcess(directory, blobPort, tablePort);
        await azurite.StartAsync();
        return azurite;
    }

    private static int EndpointPort(string connectionString, string endpoint) =>
        new Uri(connectionString.Split(';').Single(p => p.StartsWith(endpoint + "=", StringComparison.Ordinal))[(endpoint.Length + 1)..]).Port;

    /// <summary>Starts it (again) on the same ports and data; returns once both services accept connections.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
            throw new InvalidOperationException("Azurite is running");
        if (_process is not null)
            await _process.DisposeAsync();
        _process = ChildProcess.Start("azurite", Repository.Azurite,
        [
            "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--location", Path.Combine(_directory, "azurite"),
            "--blobHost", "127.0.0.1", "--blobPort", $"{_blobPort}", "--queueHost", "127.0.0.1", "--queuePort", $"{_queuePort}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{_tablePort}",
        ], Path.Combine(_directory, "azurite.log"));
        var clock = Stopwatch.StartNew();
        while (!(await Accepts(_blobPort) && await Accepts(_tablePort)))
        {
            if (_process.HasExited || clock.Elapsed > StartTimeout)
                throw new InvalidOperationException($"Azurite did not start on ports {_blobPort} and {_tablePort}:\n{_process.Tail()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Stops it as a service manager would (SIGTERM) and waits until it has exited: it saves its data and closes its ports.</summary>
    public Task StopAsync() => _process?.StopAsync(TimeSpan.FromSeconds(60)) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
            await _process.DisposeAsync();
    }

    private static async Task<bool> Accepts(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
