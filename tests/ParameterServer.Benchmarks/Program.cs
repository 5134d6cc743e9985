using BenchmarkDotNet.Running;
using ParameterServer.Benchmarks.Updates;

// dotnet run -c Release --project tests/ParameterServer.Benchmarks -- <benchmark> [options]
// Each benchmark lives in its own folder; add it here with a one-line description.
var benchmarks = new Dictionary<string, (string Description, Func<string[], int> Run)>
{
    ["updates"] = ("server-side update throughput against a memory-bandwidth probe, one thread [--quick]", UpdateThroughput.Run),
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
