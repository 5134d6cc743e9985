namespace ParameterServer.Benchmarks.Processes;

/// <summary>
/// A real <c>paramserver silo</c> process on free loopback ports, with its checkpoints in a fresh temporary folder;
/// ready once it logs "silo ready". Disposing it kills it by its PID and deletes the folder.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
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

    public int Id => _process.Id;

    /// <summary>Starts the silo; <paramref name="options"/> are passed to <c>paramserver silo</c> after the ports.</summary>
    public static async Task<SiloProcess> StartAsync(CancellationToken ct, params string[] options)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("ps-bench-silo-");
        var ports = FreePorts.Take(2);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = ChildProcess.Start(Executables.Paramserver,
            ["silo", "--silo-port", $"{ports[0]}", "--gateway-port", $"{ports[1]}", "--data-port", "-1", "--data-dir", dataDirectory.FullName, .. options],
            Path.Combine(dataDirectory.FullName, "silo.log"),
            line =>
            {
                if (line.Contains("silo ready", StringComparison.Ordinal)) ready.TrySetResult();
            });
        var silo = new SiloProcess(process, dataDirectory, ports[1]);
        try
        {
            var exited = process.WaitForExitAsync(ct);
            var first = await Task.WhenAny(ready.Task, exited).WaitAsync(_readyTimeout, ct);
            if (first == exited)
                throw new InvalidOperationException($"paramserver silo exited with code {process.ExitCode} while starting:\n{process.Tail()}");
            return silo;
        }
        catch (TimeoutException)
        {
            var tail = process.Tail();
            await silo.DisposeAsync();
            throw new TimeoutException($"paramserver silo was not ready within {_readyTimeout.TotalSeconds:0} s:\n{tail}");
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _dataDirectory.Delete(recursive: true);
    }
}
