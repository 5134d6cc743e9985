using System.Diagnostics;
using ParameterServer.WorkerHost.Cli;
using ParameterServer.WorkerHost.Output;
using ParameterServer.Workers.Data;
using ParameterServer.Workers.Progress;

namespace ParameterServer.WorkerHost.Launch;

/// <summary>
/// Runs one training job on this machine: a silo on free ports with a temporary data directory (or, given a running
/// cluster's connection string, no silo), then N <c>psworker train</c> processes (or, standalone, one worker and no
/// silo); follows their progress lines until every worker is done, and stops every process it started, whatever happens.
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
            await display.RunAsync(board, () => group.RunAsync((child, line) => OnLine(board, workers, child, line), cancellationToken));
            foreach (var (child, w) in workers)
            {
                if (board.Done(w) is null)
                    throw new ChildFailedException(child, "exited with code 0 without reporting done");
            }
            return board.Results(options.Standalone ? "standalone" : options.Consistency.ToString(), options.Device, options.Seed, clock.Elapsed.TotalSeconds);
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
        if (record is WorkerError error)
            throw new ChildFailedException(child, $"reported an error: {error.Message}");
        board.Apply(record);
        display.Show(record);
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
