using ParameterServer.Contracts;
using ParameterServer.Workers.Data;

namespace ParameterServer.WorkerHost.Cli;

/// <summary>
/// The options of <c>psworker launch</c>. Everything a run writes (results, plot, each child's log) goes under
/// <see cref="RunDirectory"/>, runs/&lt;timestamp&gt;, unless --json or --plot name another place.
/// </summary>
internal sealed record LaunchOptions
{
    public const string Usage =
        """
        psworker launch [options]: trains an MLP on Fashion-MNIST with one local silo and N worker processes.
          --data DIR          directory of the four Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist)
          --workers N         worker processes, and the job's data partitions (default 2)
          --lease SECONDS     a worker silent this long leaves the job; its partitions go to the others (default 10)
          --epochs N          passes over the training set (default 12)
          --consistency MODE  bsp, ssp:N or async (default bsp)
          --device DEV        auto, cpu or cuda:N (default auto)
          --seed N            seed of the parameters, partitions and shuffles (default 1)
          --batch-size N      samples per step of each worker (default 128)
          --optimizer RULE    sgd, momentum, adagrad, adam or adamw, applied by the shards (default adam)
          --learning-rate X   peak learning rate; warm-up over 2% of the updates, cosine decay to 0 (default 0.002)
          --encoding ENC      fp32, bf16 or fp16 for values and gradients on the wire (default fp32)
          --standalone        one worker process trains with the same update rule and no parameter server
          --connection-string CS  train on a running cluster of Azure Table clustering (this storage account) instead
                              of starting a silo; with --cluster-id ID
          --run-dir DIR       where each process's log goes (default runs/<timestamp>)
          --pid-dir DIR       write each worker's PID to DIR/worker-N.pid while it runs
          --json PATH         results file (default runs/<timestamp>/results.json)
          --plot PATH         loss and accuracy plot, PNG (default runs/<timestamp>/curves.png)
          --silo PATH         the paramserver executable or .dll (default: next to psworker)
          --worker PATH       the psworker executable or .dll (default: this one)
        """;

    private static readonly string[] _names =
    [
        "--data", "--workers", "--lease", "--epochs", "--consistency", "--device", "--seed", "--json", "--plot", "--silo", "--worker",
        "--batch-size", "--optimizer", "--learning-rate", "--encoding", "--connection-string", "--cluster-id", "--run-dir", "--pid-dir",
    ];

    private static readonly string[] _flags = ["--standalone"];

    /// <summary>
    /// Long enough that a worker busy with a step, a garbage collection or a loaded machine is not taken for dead
    /// (it heartbeats every third of it), short enough that a dead worker stalls BSP for seconds, not minutes.
    /// </summary>
    public const float DefaultLeaseSeconds = 10;

    public required string DataDirectory { get; init; }

    public required int Workers { get; init; }

    /// <summary>How long a worker stays in the job without a heartbeat (<c>ModelSpec.WorkerLease</c>).</summary>
    public required TimeSpan Lease { get; init; }

    public required int Epochs { get; init; }

    public required ConsistencySpec Consistency { get; init; }

    public required string Device { get; init; }

    public required ulong Seed { get; init; }

    public required int BatchSize { get; init; }

    public required OptimizerKind Optimizer { get; init; }

    public required float LearningRate { get; init; }

    public required TensorEncoding Encoding { get; init; }

    /// <summary>No silo: one worker trains with the same update rule in its own process (the overhead baseline).</summary>
    public bool Standalone { get; init; }

    /// <summary>A running cluster's storage account (Azure Table clustering): no silo is started; null: a silo of the run's own.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>The running cluster's id, given with <see cref="ConnectionString"/>.</summary>
    public string? ClusterId { get; init; }

    /// <summary>Where each worker's PID is written while it runs, as worker-N.pid; null: nowhere.</summary>
    public string? PidDirectory { get; init; }

    public required string RunDirectory { get; init; }

    public required string JsonPath { get; init; }

    public required string PlotPath { get; init; }

    /// <summary>The paramserver executable or .dll; null: look next to psworker.</summary>
    public string? SiloPath { get; init; }

    /// <summary>The psworker executable or .dll the workers run; null: this process's own.</summary>
    public string? WorkerPath { get; init; }

    public static LaunchOptions Parse(IReadOnlyList<string> args, DateTime now)
    {
        var o = CommandLineOptions.Parse(args, _names, _flags);
        var standalone = o.Flag("--standalone");
        var workers = o.Int("--workers", fallback: standalone ? 1 : 2, min: 1, max: 64);
        if (standalone && workers != 1)
            throw new UsageException($"--standalone trains one worker without a parameter server; --workers {workers} needs the server");
        var runDirectory = Path.GetFullPath(o.Text("--run-dir", Path.Combine("runs", now.ToString("yyyyMMdd-HHmmss"))));
        var connectionString = o.OptionalText("--connection-string");
        if (standalone && connectionString is not null)
            throw new UsageException("--standalone trains without a parameter server; --connection-string names one");
        return new LaunchOptions
        {
            DataDirectory = Path.GetFullPath(o.Text("--data", FashionMnist.DefaultDirectory)),
            Workers = workers,
            Lease = o.Lease("--lease", DefaultLeaseSeconds),
            Epochs = o.Int("--epochs", fallback: 12, min: 1),
            Consistency = o.Consistency("--consistency", ConsistencySpec.Bsp),
            Device = o.Device("--device", "auto"),
            Seed = o.UInt64("--seed", fallback: 1),
            BatchSize = o.Int("--batch-size", fallback: 128, min: 1),
            Optimizer = o.Choice<OptimizerKind>("--optimizer", OptimizerKind.Adam),
            LearningRate = o.PositiveFloat("--learning-rate", 0.002f),
            Encoding = o.Choice<TensorEncoding>("--encoding", TensorEncoding.Fp32),
            Standalone = standalone,
            ConnectionString = connectionString,
            ClusterId = connectionString is null ? null : o.Text("--cluster-id"),
            PidDirectory = o.OptionalText("--pid-dir") is { } pids ? Path.GetFullPath(pids) : null,
            RunDirectory = runDirectory,
            JsonPath = Path.GetFullPath(o.Text("--json", Path.Combine(runDirectory, "results.json"))),
            PlotPath = Path.GetFullPath(o.Text("--plot", Path.Combine(runDirectory, "curves.png"))),
            SiloPath = o.OptionalText("--silo") is { } silo ? Path.GetFullPath(silo) : null,
            WorkerPath = o.OptionalText("--worker") is { } worker ? Path.GetFullPath(worker) : null,
        };
    }
}
