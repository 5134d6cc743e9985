using System.Diagnostics;
using ParameterServer.Benchmarks.DataPlane;
using ParameterServer.Benchmarks.Devices;
using ParameterServer.Benchmarks.GpuCheck;
using ParameterServer.Benchmarks.Latency;
using ParameterServer.Benchmarks.Peers;
using ParameterServer.Benchmarks.Scaling;
using ParameterServer.Benchmarks.Training;
using ParameterServer.Benchmarks.Transfer;
using ParameterServer.Benchmarks.Updates;
using ParameterServer.Benchmarks.Workers;

namespace ParameterServer.Benchmarks.Report;

/// <summary>
/// <c>report [--quick] [--json PATH]</c> (what ./bench.sh runs): every benchmark in sequence, each handing its figures
/// to one sink; a benchmark that fails or cannot run leaves a "not measured" row with the reason rather than stopping
/// the others. --quick shortens every measurement (under 2 minutes on a 2-core machine); the figures are noisier, not
/// different in kind, and what it skips is a "not measured" row. The table and the JSON are written by Program.cs.
/// </summary>
public static class ReportCommand
{
    /// <summary>A benchmark as the report runs it.</summary>
    private sealed record Step(string Id, string Section, string Name, Func<FigureSink, Task<int>> Run);

    public static async Task<int> RunAsync(string[] args, FigureSink figures)
    {
        foreach (var step in Steps(Options.Flag(args, "--quick")))
            await RunStepAsync(step, figures);
        return 0;
    }

    private static IEnumerable<Step> Steps(bool quick)
    {
        string[] Quick(params string[] args) => quick ? args : [];
        yield return new("updates", Sections.ServerUpdate, "server update throughput",
            f => Task.FromResult(UpdateThroughput.Run(Quick("--quick"), f)));
        yield return new("gemm", Sections.Gemm, "CPU GEMM against OpenBLAS",
            f => Task.FromResult(GemmBenchmark.Run(Quick("--quick"), f)));
        yield return new("lanes", Sections.Lanes, "data plane lanes against raw sockets",
            f => LaneThroughputBenchmark.RunAsync(Quick("--seconds", "1", "--rounds", "1"), f));
        yield return new("latency", Sections.Latency, "small push and pull round trips",
            f => LatencyBenchmark.RunAsync(quick ? ["--seconds", "0.2", "--in-flight", "1,4,16,64"] : ["--seconds", "2"], f));
        yield return new("transfer", Sections.Transfer, "4 MiB shards, client process to silo process; against PyTorch RPC",
            async f =>
            {
                if (!quick) return await TransferBenchmark.RunAsync(["--with-torch"], f);
                // Quick: 4 in flight (where issue 4 sets its goals) and PyTorch over TCP only (the one with a goal).
                var code = await TransferBenchmark.RunAsync(["--quick", "--in-flight", "4", "--seconds", "0.5", "--with-torch", "--torch-modes", TorchPeer.Tcp], f);
                f.NotMeasured("transfer.quick", Sections.Transfer, "push and pull at 1, 2 and 8 in flight", "--quick measures 4 in flight only");
                f.NotMeasured("pytorch.transfer.quick", Sections.PyTorch, "lanes against PyTorch RPC with its default transports, and at 1 in flight",
                    "--quick measures PyTorch over TCP at 4 in flight only");
                return code;
            });
        yield return new("overhead", Sections.Overhead, "1 worker through the parameter server against the same trainer standalone",
            f => WorkerOverheadBenchmark.RunAsync(Quick("--samples", "3200", "--rounds", "1"), f));
        yield return new("training", Sections.ScalingHere, "1, 2 and 4 CPU workers; ./run.sh against PyTorch",
            async f =>
            {
                // One epoch of ./run.sh's 2 workers is what fits in the quick run's two minutes on a loaded machine.
                var code = await TrainingBenchmark.RunAsync(Quick("--workers", "2", "--epochs", "1"), f);
                if (quick) f.NotMeasured("here.quick", Sections.ScalingHere, "1 and 4 CPU workers", "--quick runs 2 workers for one epoch");
                return code;
            });
        yield return new("scaling", Sections.ScalingModel, "scaling past this machine (model)",
            f =>
            {
                ScalingReport.Run(f);
                return Task.FromResult(0);
            });
        yield return new("gpu", Sections.Gpu, "MLP steps on cuda:0, against the CPU and PyTorch", GpuAsync);
    }

    /// <summary>gpu-check on cuda:0 (not measured without a CUDA device), then PyTorch's steps on the same MLP and batch.</summary>
    private static async Task<int> GpuAsync(FigureSink figures)
    {
        var code = GpuCheckCommand.Run(["--device", "cuda:0"], figures);
        if (figures.Find("gpu.mlp.steps") is not { Ours: { } ours } ilgpu) return code;
        var torch = await PeerRunner.RunJsonAsync("torch_mlp.py", ["--steps-only", "500", "--device", "cuda:0", "--batch", "128"], TimeSpan.FromMinutes(5));
        figures.Add(new Figure("gpu.mlp.torch", Sections.Gpu, ilgpu.Name, "steps/s", ours, torch.GetProperty("steps_per_second").GetDouble(), "PyTorch"));
        return code;
    }

    private static async Task RunStepAsync(Step step, FigureSink figures)
    {
        Console.WriteLine();
        Console.WriteLine($"== {step.Section}: {step.Name}");
        var before = figures.Figures.Count;
        var clock = Stopwatch.StartNew();
        try
        {
            var code = await step.Run(figures);
            if (code != 0 && figures.Figures.Count == before)
                figures.NotMeasured($"{step.Id}.failed", step.Section, step.Name, $"exited with code {code}");
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{step.Id} failed: {e}");
            figures.NotMeasured($"{step.Id}.failed", step.Section, step.Name, FirstLine(e.Message));
        }
        Console.WriteLine($"({step.Id}: {clock.Elapsed.TotalSeconds:F1} s)");
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOf('\n');
        return end < 0 ? message : message[..end];
    }
}
