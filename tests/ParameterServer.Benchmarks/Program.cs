using BenchmarkDotNet.Running;
using ParameterServer.Benchmarks.DataPlane;
using ParameterServer.Benchmarks.GpuCheck;
using ParameterServer.Benchmarks.Updates;
using ParameterServer.Benchmarks.Workers;

// dotnet run -c Release --project tests/ParameterServer.Benchmarks -- <benchmark> [options]
// Each benchmark lives in its own folder; add it here with a one-line description.
var benchmarks = new Dictionary<string, (string Description, Func<string[], int> Run)>
{
    ["updates"] = ("server-side update throughput against a memory-bandwidth probe, one thread [--quick]", UpdateThroughput.Run),
    ["dataplane"] = ("lanes against a raw socket copy, 4 MiB payloads [--payload-mib 4] [--in-flight 4] [--seconds 2] [--rounds 3]",
        rest => LaneThroughputBenchmark.RunAsync(rest).GetAwaiter().GetResult()),
    ["gemm"] = ("CPU GEMM against Debian's OpenBLAS on the MLP's shapes, 1 and 2 threads [--quick]", ParameterServer.Benchmarks.Devices.GemmBenchmark.Run),
    ["gpu-check"] = ("kernel parity and timings on a CUDA device [--device cuda:N] [--reference cpu] [--small]", GpuCheckCommand.Run),
    ["worker-overhead"] = ("one worker through the parameter server against the same trainer standalone [--batch 128] [--samples 25600] [--rounds 5] [--consistency ssp:1] [--encoding fp32]",
        rest => WorkerOverheadBenchmark.RunAsync(rest).GetAwaiter().GetResult()),
    ["bdn"] = ("BenchmarkDotNet micro-benchmarks, e.g. `bdn --filter *`", bdnArgs =>
    {
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(bdnArgs);
        return 0;
    }),
};

if (args.Length > 0 && benchmarks.TryGetValue(args[0], out var benchmark))
    return benchmark.Run(args[1..]);

Console.Error.WriteLine("usage: dotnet run -c Release --project tests/ParameterServer.Benchmarks -- <benchmark> [options]");
foreach (var (name, (description, _)) in benchmarks)
    Console.Error.WriteLine($"  {name,-10} {description}");
return 2;
