using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using ParameterServer.Client;

namespace ParameterServer.Tests.Processes;

/// <summary>
/// One run of deploy/local-cluster.sh (Azurite, silos on Azure clustering and blob checkpoints, training workers) in a
/// directory of a test's own, on ports that are free now. Reads what the run writes: its PID files, the workers' logs
/// (progress records and log lines), cluster.env and results.json. Stopping or disposing it stops the script as Ctrl-C
/// would (it then stops everything it started) and kills, by the PID files it wrote, anything still alive.
/// </summary>
internal sealed partial class LocalCluster : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(120);

    private readonly ChildProcess _script;
    private readonly int _firstSiloPort;

    private LocalCluster(string runDirectory, ChildProcess script, int firstSiloPort)
    {
        RunDirectory = runDirectory;
        _script = script;
        _firstSiloPort = firstSiloPort;
    }

    public string RunDirectory { get; }

    public string Pids => Path.Combine(RunDirectory, "pids");

    public string Logs => Path.Combine(RunDirectory, "logs");

    /// <summary>
    /// Starts deploy/local-cluster.sh with <paramref name="silos"/> silos and <paramref name="workers"/> workers in
    /// <paramref name="runDirectory"/> (created), <paramref name="environment"/> for the script and so for the silos
    /// (PS_Section__Key settings), and <paramref name="options"/>: --resume-from, --hold, the training options.
    /// </summary>
    public static LocalCluster Start(string runDirectory, int silos, int workers, IReadOnlyDictionary<string, string> environment, params string[] options)
    {
        Directory.CreateDirectory(runDirectory);
        var (silo, gateway, data) = (FreeRange(silos), FreeRange(silos), FreeRange(silos));
        var script = ChildProcess.Start("local-cluster.sh", "bash",
        [
            Path.Combine(Repository.Root, "deploy", "local-cluster.sh"), "--silos", $"{silos}", "--workers", $"{workers}", "--run-dir", runDirectory,
            "--silo-port", $"{silo}", "--gateway-port", $"{gateway}", "--data-port", $"{data}", .. options,
        ], Path.Combine(runDirectory, "local-cluster.out"), environment);
        return new LocalCluster(runDirectory, script, silo);
    }

    /// <summary>The PID in pids/NAME.pid (silo-1, worker-0, azurite, launch).</summary>
    public int Pid(string name) => int.Parse(File.ReadAllText(Path.Combine(Pids, $"{name}.pid")).Trim());

    /// <summary>The name of the silo ("silo-2") of a silo address as <see cref="Contracts.ShardInfo.Silo"/> shows it ("S127.0.0.1:PORT:GENERATION").</summary>
    public string SiloName(string siloAddress) => $"silo-{int.Parse(siloAddress.Split(':')[1]) - _firstSiloPort + 1}";

    /// <summary>Waits until worker <paramref name="worker"/>'s log holds <paramref name="text"/> (a progress record: "\"epoch\":1,\"step\":100,").</summary>
    public async Task WaitForWorkerAsync(int worker, string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!WorkerLog(worker).Contains(text, StringComparison.Ordinal))
        {
            if (_script.HasExited)
                throw new InvalidOperationException($"local-cluster.sh exited with {_script.ExitCode} before worker {worker} logged '{text}':\n{_script.Tail()}");
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"worker {worker} did not log '{text}' within {timeout.TotalSeconds:0} s:\n{_script.Tail()}");
            await Task.Delay(200);
        }
    }

    /// <summary>Worker <paramref name="worker"/>'s step records so far, as (epoch, step), in order.</summary>
    public IReadOnlyList<(int Epoch, int Step)> Steps(int worker) =>
        StepRecord().Matches(WorkerLog(worker)).Select(m => (int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value))).ToArray();

    /// <summary>The clock worker <paramref name="worker"/> joined its job at, as it logged it.</summary>
    public long JoinClock(int worker) => long.Parse(JoinLine().Match(WorkerLog(worker)) is { Success: true } m
        ? m.Groups[1].Value
        : throw new InvalidOperationException($"worker {worker} has not logged that it joined its job"));

    /// <summary>How a client reaches the run's cluster, from cluster.env.</summary>
    public ConnectionOptions Connection
    {
        get
        {
            var (clusterId, connectionString) = ClusterEnvironment();
            return SiloProcess.AzureConnection(clusterId, connectionString);
        }
    }

    /// <summary>The options of <c>paramserver status</c> (and the other client commands) for the run's cluster.</summary>
    public string[] ClientOptions
    {
        get
        {
            var (clusterId, connectionString) = ClusterEnvironment();
            return ["--clustering", "azure", "--connection-string", connectionString, "--cluster-id", clusterId, "--connect-timeout", "60"];
        }
    }

    /// <summary>
    /// Waits until the run has written results.json (with --hold the cluster stays up after that; without, the script
    /// has then begun to stop it) and returns its test accuracy.
    /// </summary>
    public async Task<double> WaitForResultsAsync(TimeSpan timeout)
    {
        var results = Path.Combine(RunDirectory, "results.json");
        var clock = Stopwatch.StartNew();
        while (!_script.Output.Contains("== results in", StringComparison.Ordinal))
        {
            if (_script.HasExited || clock.Elapsed > timeout)
                throw new TimeoutException($"no results within {timeout.TotalSeconds:0} s (script {(_script.HasExited ? $"exited with {_script.ExitCode}" : "running")}):\n{_script.Tail()}");
            await Task.Delay(200);
        }
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(results));
        return json.RootElement.GetProperty("test_accuracy").GetDouble();
    }

    /// <summary>The samples worker <paramref name="worker"/> trained, as results.json says.</summary>
    public long WorkerSamples(int worker)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(RunDirectory, "results.json")));
        return json.RootElement.GetProperty("per_worker")[worker].GetProperty("samples").GetInt64();
    }

    /// <summary>Waits for the script to end on its own (training done, everything stopped) and returns the test accuracy.</summary>
    public async Task<double> CompleteAsync(TimeSpan timeout)
    {
        var accuracy = await WaitForResultsAsync(timeout);
        await _script.WaitForExitAsync(StopGrace);
        if (_script.ExitCode != 0)
            throw new InvalidOperationException($"local-cluster.sh exited with {_script.ExitCode}:\n{_script.Tail()}");
        return accuracy;
    }

    /// <summary>Stops the run as Ctrl-C does: the script stops the workers, then the silos (which write their checkpoints), then Azurite.</summary>
    public Task StopAsync() => _script.StopAsync(StopGrace);

    /// <summary>The processes the script started that are still alive, by their PID files.</summary>
    public IReadOnlyList<string> Alive() =>
        [.. PidFiles().Where(f => IsAlive(f.Pid)).Select(f => f.Name)];

    public async ValueTask DisposeAsync()
    {
        await _script.StopAsync(StopGrace);
        foreach (var (_, pid) in PidFiles())
        {
            if (IsAlive(pid))
                Process.GetProcessById(pid).Kill();
        }
        await _script.DisposeAsync();
    }

    private string WorkerLog(int worker)
    {
        var log = Path.Combine(Logs, $"worker-{worker}.log");
        return File.Exists(log) ? File.ReadAllText(log) : "";
    }

    private (string ClusterId, string ConnectionString) ClusterEnvironment()
    {
        var values = File.ReadAllLines(Path.Combine(RunDirectory, "cluster.env"))
            .Select(l => l.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1].Trim('\''));
        return (values["CLUSTER_ID"], values["CONNECTION_STRING"]);
    }

    private IEnumerable<(string Name, int Pid)> PidFiles() =>
        Directory.Exists(Pids)
            ? Directory.GetFiles(Pids, "*.pid").Select(f => (Path.GetFileNameWithoutExtension(f), int.TryParse(File.ReadAllText(f).Trim(), out var pid) ? pid : 0))
                .Where(f => f.Item2 > 0)
            : [];

    private static bool IsAlive(int pid)
    {
        try
        {
            return !Process.GetProcessById(pid).HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    // The first of `count` consecutive loopback ports that are all free now: the script gives silo i port P + i - 1. Below
    // Linux's ephemeral range (32768 and up), where any outgoing connection may take a port between this check and the bind.
    private static int FreeRange(int count)
    {
        for (var attempt = 0; ; attempt++)
        {
            var first = Random.Shared.Next(20000, 32000);
            var listeners = new List<TcpListener>();
            try
            {
                for (var p = first; p < first + count; p++)
                {
                    var listener = new TcpListener(IPAddress.Loopback, p);
                    listener.Start();
                    listeners.Add(listener);
                }
                return first;
            }
            catch (SocketException) when (attempt < 100)
            {
            }
            finally
            {
                listeners.ForEach(l => l.Stop());
            }
        }
    }

    // A progress record of a step, as ProgressWriter writes it: {"type":"step","worker":0,"epoch":1,"step":100,...}.
    [GeneratedRegex("\"type\":\"step\",\"worker\":\\d+,\"epoch\":(\\d+),\"step\":(\\d+),")]
    private static partial Regex StepRecord();

    // WorkerPipeline's line: "Worker worker-0 joined model NAME (bsp) at clock 0, lease 00:00:30".
    [GeneratedRegex(@"joined model \S+ \(\S+\) at clock (\d+),")]
    private static partial Regex JoinLine();
}
