using System.Diagnostics;
using ParameterServer.WorkerHost.Cli;
using ParameterServer.WorkerHost.Output;
using ParameterServer.Workers.Data;
using ParameterServer.Workers.Progress;

namespace ParameterServer.WorkerHost.Launch;

/// <summary>
/// Runs one training job on this machine: a silo on free ports with a temporary data directory (or, given a running
/// cluster's connection string, no silo), then N <c>psworker train</c> processes (or, standalone, one worker and no
/// silo); follows their progress lines until every worker has exited, and stops every process it started, whatever
/// happens. A worker that exits before it is done (killed by a signal, a non-zero exit code, an error it reported) is
/// lost, not the end of the run: the job moves its data partitions to the live workers once its lease runs out, the
/// run goes on with them, and the results record the loss. The run fails when every worker is lost, or when no worker
/// evaluated the model after the last epoch.
/// Example: <c>var results = await new Launcher(options, display).RunAsync(ct);</c>
/// </summary>
internal sealed class Launcher(LaunchOptions options, ITrainingDisplay display)
{
    /// <summary>The model every worker of a run creates or joins.</summary>
    public const string Model = "fashion-mnist-mlp";

    private static readonly TimeSpan _siloReadyTimeout = TimeSpan.FromSeconds(90);

    public async Task<RunResults> RunAsync(CancellationToken cancellationToken)
    {
        // Fail before starting anything when the data is not there: the message says how to get it.
        FashionMnist.Locate(options.DataDirectory);
        var silo = options.Standalone || options.ConnectionString is not null ? null
            : options.SiloPath is { } siloPath ? ChildCommand.For(siloPath) : FindSilo();
        var worker = options.WorkerPath is { } workerPath ? ChildCommand.For(workerPath) : ChildCommand.Self();

        var siloData = Directory.CreateTempSubdirectory("paramserver-");
        try
        {
            await using var group = new ProcessGroup(options.RunDirectory);
            var clock = Stopwatch.StartNew();
            var gatewayPort = 0;
            if (silo is not null)
            {
                var siloArgs = SiloArguments.OnFreePorts(siloData.FullName);
                var siloProcess = group.Start("silo", silo, siloArgs.ToArgs(), runsToCompletion: false);
                display.Info($"silo started (pid {siloProcess.Pid}, gateway port {siloArgs.GatewayPort}); waiting for it");
                await SiloReadiness.WaitAsync(siloProcess, siloArgs.GatewayPort, _siloReadyTimeout, cancellationToken);
                display.Info($"silo ready after {clock.Elapsed.TotalSeconds:F1} s");
                gatewayPort = siloArgs.GatewayPort;
            }

            var workers = new Dictionary<ChildProcess, int>();
            for (var w = 0; w < options.Workers; w++)
            {
                var child = group.Start($"worker {w}", worker, ["train", .. TrainArgs(gatewayPort, w).ToArgs()], runsToCompletion: true);
                workers.Add(child, w);
                WritePid(child, w);
                display.Info($"worker {w} started (pid {child.Pid})");
            }
            display.Info($"logs in {options.RunDirectory}");

            var board = new ProgressBoard(options.Workers, options.Epochs);
            var ended = new HashSet<int>();
            await display.RunAsync(board, () => group.RunAsync(
                (child, line) => OnLine(board, workers, child, line), child => OnExit(board, workers, ended, child), cancellationToken));
            var results = board.Results(options.Standalone ? "standalone" : options.Consistency.ToString(), options.Device, options.Seed, clock.Elapsed.TotalSeconds);
            if (results.Curves is not [.., { TestAccuracy: not null }])
                throw new InvalidOperationException($"no worker evaluated the model after epoch {options.Epochs}, the last; the results are not written");
            return results;
        }
        finally
        {
            siloData.Delete(recursive: true);
        }
    }

    private TrainArguments TrainArgs(int gatewayPort, int workerIndex) => new()
    {
        GatewayPort = gatewayPort,
        ConnectionString = options.ConnectionString,
        ClusterId = options.ClusterId,
        Model = Model,
        WorkerIndex = workerIndex,
        Workers = options.Workers,
        Lease = options.Lease,
        Epochs = options.Epochs,
        Consistency = options.Consistency,
        Device = options.Device,
        Seed = options.Seed,
        Data = options.DataDirectory,
        BatchSize = options.BatchSize,
        Optimizer = options.Optimizer,
        LearningRate = options.LearningRate,
        Encoding = options.Encoding,
        Standalone = options.Standalone,
    };

    // A script that runs the launcher can find a worker by its PID file, to stop it or to kill it in a fault test.
    private void WritePid(ChildProcess child, int worker)
    {
        if (options.PidDirectory is not { } directory)
            return;
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, $"worker-{worker}.pid"), $"{child.Pid}\n");
    }

    private void OnLine(ProgressBoard board, Dictionary<ChildProcess, int> workers, ChildProcess child, string line)
    {
        // The silo's output goes to its log file only; its last lines are shown if it fails.
        if (!workers.TryGetValue(child, out var w))
            return;
        var record = ProgressProtocol.Parse(line);
        if (record is null)
        {
            display.Log(child.Name, line);
            return;
        }
        if (record.Worker != w)
            throw new ChildFailedException(child, $"reported progress as worker {record.Worker}");
        board.Apply(record);
        display.Show(record);
    }

    /// <summary>
    /// A worker has exited: done, or lost. The run goes on while another worker is still running; when the last one is
    /// lost without any having reported done, nothing is left to finish it.
    /// </summary>
    private void OnExit(ProgressBoard board, Dictionary<ChildProcess, int> workers, HashSet<int> ended, ChildProcess child)
    {
        var w = workers[child];
        ended.Add(w);
        var code = child.ExitCode!.Value;
        if (board.Done(w) is not null)
        {
            // Its training is complete; a failure on the way out (leaving the job) loses nothing.
            if (code != 0)
                display.Info($"worker {w} {ExitStatus.Describe(code)} after it was done");
            return;
        }
        var reason = board.Error(w) is { } error ? $"reported an error ({error}) and {ExitStatus.Describe(code)}"
            : code == 0 ? "exited with code 0 without reporting done"
            : ExitStatus.Describe(code);
        var loss = board.Lose(w, child.Pid, code, reason);
        // A worker whose exit is not handled yet still counts: it may have exited already with its "done" line still
        // to be read, so its process having ended says nothing yet.
        var running = workers.Values.Where(x => !ended.Contains(x)).Order().ToList();
        var finished = Enumerable.Range(0, board.Workers).Count(x => board.Done(x) is not null);
        if (running.Count == 0 && finished == 0)
            throw new ChildFailedException(child, $"{reason}, and no worker is left to finish the run");
        var next = running.Count switch
        {
            0 => "the other workers had finished; nobody trains its data partitions from there",
            1 => $"training goes on with worker {running[0]}, which takes over its data partitions",
            _ => $"training goes on with workers {string.Join(", ", running)}, which take over its data partitions",
        };
        if (running.Count > 0)
            next += $" once its lease of {options.Lease.TotalSeconds:0.#} s runs out";
        display.Lost(w, $"{ProgressText.Lost(loss, board.Epochs)}; {next}");
    }

    private static ChildCommand FindSilo()
    {
        foreach (var name in new[] { "paramserver", "paramserver.dll" })
        {
            var path = Path.Combine(AppContext.BaseDirectory, name);
            if (File.Exists(path))
                return ChildCommand.For(path);
        }
        throw new UsageException($"paramserver is not next to psworker in {AppContext.BaseDirectory}; pass --silo PATH (the paramserver executable or paramserver.dll)");
    }
}
