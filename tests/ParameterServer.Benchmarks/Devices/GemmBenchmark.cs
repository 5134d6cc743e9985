using System.Diagnostics;
using ParameterServer.Benchmarks.Report;
using ParameterServer.Kernels.Devices.Cpu;
using ParameterServer.Kernels.Init;

namespace ParameterServer.Benchmarks.Devices;

/// <summary>
/// CpuGemm against OpenBLAS in the same run, on the GEMMs of the 784-256-128-10 MLP at batch 128 and a square 1024,
/// with 1 and 2 threads: GFLOP/s of each (best of several interleaved rounds, so both see the same machine load) and
/// the ratio (goal: at least 0.5, issue 3). Run: <c>dotnet run -c Release --project tests/ParameterServer.Benchmarks -- gemm [--quick]</c>.
/// </summary>
public static class GemmBenchmark
{
    private static readonly Goal _goal = Goal.RatioAtLeast(0.5);

    private sealed record Shape(string Name, bool TransA, bool TransB, int M, int N, int K);

    private static readonly Shape[] Shapes =
    [
        new("fc1 forward  x W1^T", false, true, 128, 256, 784),
        new("fc1 weight grad dY^T x", true, false, 256, 784, 128),
        new("fc2 forward  h W2^T", false, true, 128, 128, 256),
        new("fc2 input grad dY W2", false, false, 128, 256, 128),
        new("square 1024 NN", false, false, 1024, 1024, 1024),
        new("square 1024 TT", true, true, 1024, 1024, 1024),
    ];

    public static int Run(string[] args, FigureSink figures)
    {
        var quick = args.Contains("--quick");
        var rounds = quick ? 2 : 5;
        var seconds = quick ? 0.1 : 0.25;
        if (!OpenBlas.IsAvailable)
        {
            const string why = "libopenblas.so.0 not found; install it with `apt-get install -y libopenblas0-pthread`";
            Console.Error.WriteLine($"gemm: {why}");
            figures.NotMeasured("gemm", Sections.Gemm, "CPU GEMM against OpenBLAS", why);
            return 2;
        }
        Console.WriteLine($"CpuGemm vs OpenBLAS ({OpenBlas.CoreName} kernels), {Environment.ProcessorCount} processors, best of {rounds} rounds");
        Console.WriteLine($"{"shape",-24} {"m x n x k",-16} {"thr",3} {"CpuGemm",9} {"OpenBLAS",9} {"ratio",6}");
        // One untimed pass first, so that the JIT has tiered up the packing and blocking code before anything counts.
        Measure(threads: 2, rounds: 1, seconds, figures: null);
        Measure(threads: 1, rounds, seconds, figures);
        Measure(threads: 2, rounds, seconds, figures);
        return 0;
    }

    /// <summary>Every shape with <paramref name="threads"/> threads; printed and added as figures unless <paramref name="figures"/> is null (the warm-up).</summary>
    private static void Measure(int threads, int rounds, double seconds, FigureSink? figures)
    {
        var gemm = new CpuGemm(threads);
        OpenBlas.SetThreads(threads);
        foreach (var s in Shapes)
        {
            var a = Random(s.M * s.K, 1);
            var b = Random(s.K * s.N, 2);
            var c = new float[s.M * s.N];
            var flops = 2.0 * s.M * s.N * s.K;
            double ours = 0, blas = 0;
            for (var round = 0; round < rounds; round++)
            {
                ours = Math.Max(ours, Gflops(flops, seconds, () => gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, b, 0f, c)));
                blas = Math.Max(blas, Gflops(flops, seconds, () => OpenBlas.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, b, 0f, c)));
            }
            if (figures is null) continue;
            Console.WriteLine($"{s.Name,-24} {$"{s.M}x{s.N}x{s.K}",-16} {threads,3} {ours,9:F1} {blas,9:F1} {ours / blas,6:F2}");
            figures.Add(new Figure($"gemm.{s.M}x{s.N}x{s.K}.{(s.TransA ? 'T' : 'N')}{(s.TransB ? 'T' : 'N')}.t{threads}", Sections.Gemm,
                $"{string.Join(' ', s.Name.Split(' ', StringSplitOptions.RemoveEmptyEntries))} {s.M}x{s.N}x{s.K}, {threads} thread{(threads > 1 ? "s" : "")}", "GFLOP/s", ours, blas, "OpenBLAS", _goal));
        }
    }

    /// <summary>GFLOP/s of repeated calls over about <paramref name="seconds"/>, after one warm-up call.</summary>
    private static double Gflops(double flopsPerCall, double seconds, Action call)
    {
        call();
        var calls = 0;
        var clock = Stopwatch.StartNew();
        do
        {
            call();
            calls++;
        } while (clock.Elapsed.TotalSeconds < seconds);
        return flopsPerCall * calls / clock.Elapsed.TotalSeconds / 1e9;
    }

    private static float[] Random(int length, ulong seed)
    {
        var x = new float[length];
        Initializers.Uniform(x, 0, seed, -1f, 1f);
        return x;
    }
}
