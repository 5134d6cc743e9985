using ParameterServer.Contracts;

namespace ParameterServer.WorkerHost.Cli;

/// <summary>
/// The command line of one training worker, <c>psworker train OPTIONS</c>: the contract between the launcher,
/// which writes it (<see cref="ToArgs"/>), and the train command, which reads it (<see cref="Parse"/>). Every option
/// is required, so a launcher and a worker of different versions fail loudly instead of disagreeing quietly; the
/// exceptions say where the cluster is: <c>--gateway-port</c> of a silo on localhost, or <c>--connection-string</c> and
/// <c>--cluster-id</c> of a cluster on Azure Table clustering (which a worker reaches through any live silo), and
/// neither for a <c>--standalone</c> worker (no parameter server).
/// Example: <c>var a = TrainArguments.Parse(args); await using var client = Connect(a.GatewayPort);</c>
/// </summary>
internal sealed record TrainArguments
{
    /// <summary><c>--gateway-port</c>: the Orleans gateway port of the silo on localhost; 0 when <see cref="Standalone"/> or on an Azure cluster.</summary>
    public required int GatewayPort { get; init; }

    /// <summary><c>--connection-string</c>: the Azure Storage account of the cluster's clustering table; null on localhost.</summary>
    public string? ConnectionString { get; init; }

    /// <summary><c>--cluster-id</c>: the cluster's id, given with <see cref="ConnectionString"/>.</summary>
    public string? ClusterId { get; init; }

    /// <summary><c>--model</c>: the model (job) every worker of this run creates or joins.</summary>
    public required string Model { get; init; }

    /// <summary>
    /// <c>--worker-index</c>: this worker, "worker-N" in the job (0 evaluates the model); any N &gt;= 0, so a worker can
    /// join a running job beside the first ones. The job, not the index, decides which data partitions it trains.
    /// </summary>
    public required int WorkerIndex { get; init; }

    /// <summary><c>--workers</c>: how many workers the job is planned for, which is how many data partitions it has.</summary>
    public required int Workers { get; init; }

    /// <summary><c>--lease</c>: seconds a worker stays in the job without a heartbeat; its partitions then go to the others.</summary>
    public required TimeSpan Lease { get; init; }

    /// <summary><c>--epochs</c>: passes over this worker's partition.</summary>
    public required int Epochs { get; init; }

    /// <summary><c>--consistency</c>: bsp, ssp:N or async (<see cref="ConsistencySpec.Parse"/>).</summary>
    public required ConsistencySpec Consistency { get; init; }

    /// <summary><c>--device</c>: auto, cpu or cuda:N.</summary>
    public required string Device { get; init; }

    /// <summary><c>--seed</c>: seeds the initial parameters, the partitions and each epoch's order.</summary>
    public required ulong Seed { get; init; }

    /// <summary><c>--data</c>: the absolute path of the directory holding the four Fashion-MNIST IDX files.</summary>
    public required string Data { get; init; }

    /// <summary><c>--batch-size</c>: samples per step of this worker.</summary>
    public required int BatchSize { get; init; }

    /// <summary><c>--optimizer</c>: the update rule the shards apply (sgd, momentum, adagrad, adam, adamw).</summary>
    public required OptimizerKind Optimizer { get; init; }

    /// <summary><c>--learning-rate</c>: the peak learning rate of the schedule.</summary>
    public required float LearningRate { get; init; }

    /// <summary><c>--encoding</c>: how values and gradients travel (fp32, bf16, fp16).</summary>
    public required TensorEncoding Encoding { get; init; }

    /// <summary><c>--standalone</c>: train in this process with the same update rule and no parameter server.</summary>
    public bool Standalone { get; init; }

    private static readonly string[] _names =
    [
        "--gateway-port", "--connection-string", "--cluster-id", "--model", "--worker-index", "--workers", "--lease", "--epochs", "--consistency", "--device", "--seed",
        "--data", "--batch-size", "--optimizer", "--learning-rate", "--encoding",
    ];

    private static readonly string[] _flags = ["--standalone"];

    public static TrainArguments Parse(IReadOnlyList<string> args)
    {
        var o = CommandLineOptions.Parse(args, _names, _flags);
        var standalone = o.Flag("--standalone");
        var workers = o.Int("--workers", min: 1);
        var connectionString = o.OptionalText("--connection-string");
        return new TrainArguments
        {
            GatewayPort = standalone || connectionString is not null ? 0 : o.Int("--gateway-port", min: 1, max: 65535),
            ConnectionString = connectionString,
            ClusterId = connectionString is null ? null : o.Text("--cluster-id"),
            Model = o.Text("--model"),
            WorkerIndex = o.Int("--worker-index", min: 0),
            Workers = workers,
            Lease = o.Lease("--lease"),
            Epochs = o.Int("--epochs", min: 1),
            Consistency = o.Consistency("--consistency"),
            Device = o.Device("--device"),
            Seed = o.UInt64("--seed"),
            Data = o.Text("--data"),
            BatchSize = o.Int("--batch-size", min: 1),
            Optimizer = o.Choice<OptimizerKind>("--optimizer"),
            LearningRate = o.PositiveFloat("--learning-rate"),
            Encoding = o.Choice<TensorEncoding>("--encoding"),
            Standalone = standalone,
        };
    }

    /// <summary>The options in the order of <see cref="Parse"/>'s names, ready to follow <c>train</c>.</summary>
    public IReadOnlyList<string> ToArgs() =>
    [
        .. Standalone ? ["--standalone"]
            : ConnectionString is not null ? ["--connection-string", ConnectionString, "--cluster-id", ClusterId!]
            : new[] { "--gateway-port", GatewayPort.ToString() },
        "--model", Model,
        "--worker-index", WorkerIndex.ToString(),
        "--workers", Workers.ToString(),
        "--lease", Lease.TotalSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        "--epochs", Epochs.ToString(),
        "--consistency", Consistency.ToString(),
        "--device", Device,
        "--seed", Seed.ToString(),
        "--data", Data,
        "--batch-size", BatchSize.ToString(),
        "--optimizer", CommandLineOptions.ChoiceName(Optimizer),
        "--learning-rate", LearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        "--encoding", CommandLineOptions.ChoiceName(Encoding),
    ];
}
