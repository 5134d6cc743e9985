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
          --workers N         worker processes (default 2)
          --epochs N          passes over the training set (default 10)
          --consistency MODE  bsp, ssp:N or async (default bsp)
          --device DEV        auto, cpu or cuda:N (default auto)
          --seed N            seed of the parameters, partitions and shuffles (default 1)
          --json PATH         results file (default runs/<timestamp>/results.json)
          --plot PATH         loss and accuracy plot, PNG (default runs/<timestamp>/curves.png)
          --silo PATH         the paramserver executable or .dll (default: next to psworker)
          --worker PATH       the psworker executable or .dll (default: this one)
        """;

    private static readonly string[] _names =
        ["--data", "--workers", "--epochs", "--consistency", "--device", "--seed", "--json", "--plot", "--silo", "--worker"];

    public required string DataDirectory { get; init; }

    public required int Workers { get; init; }

    public required int Epochs { get; init; }

    public required ConsistencySpec Consistency { get; init; }

    public required string Device { get; init; }

    public required ulong Seed { get; init; }

    public required string RunDirectory { get; init; }

    public required string JsonPath { get; init; }

    public required string PlotPath { get; init; }

    /// <summary>The paramserver executable or .dll; null: look next to psworker.</summary>
    public string? SiloPath { get; init; }

    /// <summary>The psworker executable or .dll the workers run; null: this process's own.</summary>
    public string? WorkerPath { get; init; }

    public static LaunchOptions Parse(IReadOnlyList<string> args, DateTime now)
    {
        var o = CommandLineOptions.Parse(args, _names);
        var runDirectory = Path.GetFullPath(Path.Combine("runs", now.ToString("yyyyMMdd-HHmmss")));
        return new LaunchOptions
        {
            DataDirectory = Path.GetFullPath(o.Text("--data", FashionMnist.DefaultDirectory)),
            Workers = o.Int("--workers", fallback: 2, min: 1, max: 64),
            Epochs = o.Int("--epochs", fallback: 10, min: 1),
            Consistency = o.Consistency("--consistency", ConsistencySpec.Bsp),
            Device = o.Device("--device", "auto"),
            Seed = o.UInt64("--seed", fallback: 1),
            RunDirectory = runDirectory,
            JsonPath = Path.GetFullPath(o.Text("--json", Path.Combine(runDirectory, "results.json"))),
            PlotPath = Path.GetFullPath(o.Text("--plot", Path.Combine(runDirectory, "curves.png"))),
            SiloPath = o.OptionalText("--silo") is { } silo ? Path.GetFullPath(silo) : null,
            WorkerPath = o.OptionalText("--worker") is { } worker ? Path.GetFullPath(worker) : null,
        };
    }
}
