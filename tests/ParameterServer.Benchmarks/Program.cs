using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using ParameterServer.Benchmarks;
using ParameterServer.Benchmarks.DataPlane;
using ParameterServer.Benchmarks.Devices;
using ParameterServer.Benchmarks.GpuCheck;
using ParameterServer.Benchmarks.Latency;
using ParameterServer.Benchmarks.Report;
using ParameterServer.Benchmarks.Training;
using ParameterServer.Benchmarks.Transfer;
using ParameterServer.Benchmarks.Updates;
using ParameterServer.Benchmarks.Workers;

// dotnet run -c Release --project tests/ParameterServer.Benchmarks -- <benchmark> [options] [--json PATH]
// Each benchmark lives in its own folder; add it here with a one-line description. Each hands its figures to the
// sink, printed as a table at the end and, with --json, written to PATH with the machine, its load average before and
// after, and the date; `report` runs them all (./bench.sh).
var benchmarks = new Dictionary<string, (string Description, Func<string[], FigureSink, int> Run)>
{
    ["report"] = ("every benchmark in sequence, one table at the end [--quick] (./bench.sh)",
        (rest, figures) => ReportCommand.RunAsync(rest, figures).GetAwaiter().GetResult()),
    ["updates"] = ("server-side update throughput against a memory-bandwidth probe, one thread [--quick]", UpdateThroughput.Run),
    ["dataplane"] = ("lanes against a raw socket copy, 4 MiB payloads [--payload-mib 4] [--in-flight 4] [--seconds 2] [--rounds 3]",
        (rest, figures) => LaneThroughputBenchmark.RunAsync(rest, figures).GetAwaiter().GetResult()),
    ["transfer"] = ("push and pull through a silo process: lanes and grain calls against a raw socket peer [--quick] [--in-flight 1,2,4,8] [--seconds 2] [--with-torch] [--torch-modes default,tcp]",
        (rest, figures) => TransferBenchmark.RunAsync(rest, figures).GetAwaiter().GetResult()),
    ["raw-peer"] = ("the raw socket end of `transfer`, which starts it", (rest, _) => RawPeer.RunAsync(rest).GetAwaiter().GetResult()),
    ["latency"] = ("small push and pull round trips against a paramserver silo process, lanes and grain calls, p50/p99 [--seconds 2] [--in-flight 1,2,4,8,16,32,64]",
        (rest, figures) => LatencyBenchmark.RunAsync(rest, figures).GetAwaiter().GetResult()),
    ["gemm"] = ("CPU GEMM against Debian's OpenBLAS on the MLP's shapes, 1 and 2 threads [--quick]", GemmBenchmark.Run),
    ["gpu-check"] = ("kernel parity and timings on a CUDA device [--device cuda:N] [--reference cpu] [--small]", GpuCheckCommand.Run),
    ["worker-overhead"] = ("one worker through the parameter server against the same trainer standalone [--batch 128] [--samples 25600] [--rounds 5] [--consistency ssp:1] [--encoding fp32]",
        (rest, figures) => WorkerOverheadBenchmark.RunAsync(rest, figures).GetAwaiter().GetResult()),
    ["training"] = ("psworker launch with 1, 2 and 4 CPU workers; ./run.sh against torch_mlp.py [--workers 1,2,4] [--epochs 12]",
        (rest, figures) => TrainingBenchmark.RunAsync(rest, figures).GetAwaiter().GetResult()),
    ["bdn"] = ("BenchmarkDotNet micro-benchmarks, e.g. `bdn --filter *`", (bdnArgs, _) =>
    {
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(bdnArgs);
        return 0;
    }),
};

if (args.Length > 0 && benchmarks.TryGetValue(args[0], out var benchmark))
{
    var rest = args[1..];
    var jsonPath = Options.OptionalText(rest, "--json");
    var (machine, loadBefore, started, clock) = (MachineInfo.Current(), MachineInfo.LoadAverage(), DateTimeOffset.Now, Stopwatch.StartNew());
    Console.WriteLine($"== {args[0]}: {machine}; load average {Load(loadBefore)}; {started:yyyy-MM-dd HH:mm:ss zzz}");

    var figures = new FigureSink();
    var code = benchmark.Run(rest, figures);

    var loadAfter = MachineInfo.LoadAverage();
    if (figures.Figures.Count > 0)
    {
        Console.WriteLine();
        Console.Write(FigureTable.Render(figures.Figures));
    }
    Console.WriteLine($"== {args[0]} done in {clock.Elapsed.TotalSeconds:F0} s on {machine.Cores} cores ({machine.CpuModel}); " +
        $"load average before {Load(loadBefore)}, after {Load(loadAfter)}");
    if (jsonPath is not null)
    {
        new ReportJson(args, Options.Flag(rest, "--quick"), machine, loadBefore, loadAfter, started, clock.Elapsed.TotalSeconds,
            FigureTable.Summary(figures.Figures), figures.Figures).Write(jsonPath);
        Console.WriteLine($"figures written to {Path.GetFullPath(jsonPath)}");
    }
    return code;
}

Console.Error.WriteLine("usage: dotnet run -c Release --project tests/ParameterServer.Benchmarks -- <benchmark> [options] [--json PATH]");
foreach (var (name, (description, _)) in benchmarks)
    Console.Error.WriteLine($"  {name,-10} {description}");
return 2;

static string Load(double[] load) => load.Length == 0 ? "unknown" : string.Join(' ', load.Select(l => l.ToString("F2", CultureInfo.InvariantCulture)));
