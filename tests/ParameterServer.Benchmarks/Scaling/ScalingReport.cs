using ParameterServer.Benchmarks.Report;
using ParameterServer.Contracts;

namespace ParameterServer.Benchmarks.Scaling;

/// <summary>
/// The report's scaling step (issue 6, item 6): reads the costs measured earlier in the same run from the figures,
/// predicts samples/s of the default MLP and of a 100M-parameter MLP on 16 and 64 machines at 10 and 100 Gbit/s,
/// under BSP and SSP, and sets the 16-machine predictions beside GeePS's published 13x over one machine.
/// </summary>
public static class ScalingReport
{
    public const double GeePsSpeedupOn16 = 13;

    private const int Batch = 128;

    private static readonly int[] _machines = [16, 64];
    private static readonly double[] _nicGigabits = [10, 100];
    private static readonly ConsistencyMode[] _modes = [ConsistencyMode.Bsp, ConsistencyMode.Ssp];
    private static readonly int[] _defaultMlp = [784, 256, 128, 10];

    /// <summary>Six 4096 x 4096 layers: 100.7M parameters, 32 shards of 2 MiB per weight table.</summary>
    private static readonly int[] _largeMlp = [4096, 4096, 4096, 4096, 4096, 4096, 4096];

    /// <summary>Where each cost comes from, best first: (figure ids, what they are).</summary>
    private static readonly (string Push, string Pull, string Description)[] _stackSources =
    [
        ("transfer.dataplane.push.x4", "transfer.dataplane.pull.x4", "transfer on lanes, 4 in flight"),
        ("lanes.push.gbps", "lanes.pull.gbps", "data plane lanes in process (transfer not measured)"),
    ];

    public static void Run(FigureSink figures)
    {
        var costs = Costs(figures, out var stackSource, out var missing);
        var (mlpCompute, mlpSource) = MlpComputePerSample(figures);
        var largeCompute = figures.Value("gemm.1024x1024x1024.NN.t2") is { } gflops
            ? ComputePerSample(_largeMlp, gflops) : (double?)null;
        if (costs is null || mlpCompute is null || largeCompute is null)
        {
            var why = costs is null ? $"needs {missing}, not measured in this run" : "needs the GEMM figures (CPU GEMM not measured)";
            figures.NotMeasured("scaling", Sections.ScalingModel, "scaling past this machine (model)", why);
            return;
        }

        Console.WriteLine($"scaling model inputs: stack {costs.StackBytesPerSecond / 1e9:F2} GB/s ({stackSource}), round trip {costs.RoundTripSeconds * 1e6:F0} µs, " +
            $"{costs.MessagesPerSecond:F0} calls/s, accumulate {costs.AccumulateParametersPerSecond / 1e6:F0} and update {costs.UpdateParametersPerSecond / 1e6:F0} Mparam/s");
        var models = new[]
        {
            (Id: "mlp", Model: DenseModel.Mlp($"MLP {string.Join('-', _defaultMlp)}", _defaultMlp, mlpCompute.Value), Source: mlpSource),
            (Id: "100m", Model: DenseModel.Mlp("100M-param MLP (6 x 4096^2)", _largeMlp, largeCompute.Value), Source: "GEMM 1024^3 at 2 threads, 6 flop/param"),
        };
        Console.WriteLine($"{"model",-30} {"cluster",-32} {"compute",9} {"NIC",9} {"server",9} {"barrier",9} {"samples/s",11} {"speedup",8}  bound");
        foreach (var (id, model, source) in models)
        {
            figures.Add(new Figure($"scaling.{id}.compute", Sections.ScalingModel, $"{model.Name}: compute per sample, one machine", "µs",
                model.ComputeSecondsPerSample * 1e6, Note: $"{model.Parameters:N0} params; from {source}"));
            foreach (var mode in _modes)
            {
                var single = ScalingModel.Predict(model, costs, new ClusterShape(1, _nicGigabits[0], Batch, mode));
                figures.Add(new Figure($"scaling.{id}.m1.{Key(mode)}", Sections.ScalingModel, $"{model.Name}, 1 machine, {Key(mode).ToUpperInvariant()}",
                    "samples/s", single.SamplesPerSecond, Note: $"bound: {single.Bottleneck}"));
                foreach (var machines in _machines)
                {
                    foreach (var nic in _nicGigabits)
                    {
                        var p = ScalingModel.Predict(model, costs, new ClusterShape(machines, nic, Batch, mode));
                        var speedup = p.SamplesPerSecond / single.SamplesPerSecond;
                        figures.Add(new Figure($"scaling.{id}.m{machines}.{nic:0}g.{Key(mode)}", Sections.ScalingModel,
                            $"{model.Name}, {p.Cluster}", "samples/s", p.SamplesPerSecond,
                            machines == 16 ? GeePsSpeedupOn16 * single.SamplesPerSecond : null,
                            machines == 16 ? "GeePS: 13x one machine" : null,
                            Note: $"speedup {speedup:F1}x; bound: {p.Bottleneck}"));
                        Console.WriteLine($"{model.Name,-30} {p.Cluster,-32} {Ms(p.Compute)} {Ms(p.Nic)} {Ms(p.Server)} {Ms(p.Barrier)} {p.SamplesPerSecond,11:N0} {speedup,7:F1}x  {p.Bottleneck}");
                    }
                }
            }
        }
        Console.WriteLine("(terms in ms per clock on the busiest machine; see tests/ParameterServer.Benchmarks/Scaling/README.md)");
    }

    /// <summary>Seconds per sample of a dense MLP whose GEMMs run at <paramref name="gflops"/>.</summary>
    public static double ComputePerSample(IReadOnlyList<int> widths, double gflops) =>
        DenseModel.FlopsPerParameterPerSample * DenseModel.Mlp("", widths, 0).Parameters / (gflops * 1e9);

    private static MeasuredCosts? Costs(FigureSink figures, out string stackSource, out string missing)
    {
        stackSource = "";
        double? stack = null;
        foreach (var (push, pull, description) in _stackSources)
        {
            if (figures.Value(push) is { } pushGbps && figures.Value(pull) is { } pullGbps)
            {
                // Each clock pushes and pulls the same bytes: the time per byte is the mean of the two.
                stack = 2 / (1 / pushGbps + 1 / pullGbps) * 1e9;
                stackSource = description;
                break;
            }
        }
        var inputs = new (string Id, double? Value)[]
        {
            ("latency.push.p50.x1", figures.Value("latency.push.p50.x1")),
            ("latency.push.rate", figures.Value("latency.push.rate")),
            ("updates.sgd.cold", figures.Value("updates.sgd.cold")),
            ("updates.adam.cold", figures.Value("updates.adam.cold")),
        };
        missing = stack is null ? "the transfer or lane figures" : string.Join(", ", inputs.Where(i => i.Value is null).Select(i => i.Id));
        if (stack is null || inputs.Any(i => i.Value is null)) return null;
        return new MeasuredCosts(stack.Value, inputs[0].Value!.Value / 1e6, inputs[1].Value!.Value, inputs[2].Value!.Value * 1e6, inputs[3].Value!.Value * 1e6);
    }

    /// <summary>The worker's own standalone training rate when it was measured, else the GEMMs' rate on the MLP's largest layer.</summary>
    private static (double? Seconds, string Source) MlpComputePerSample(FigureSink figures)
    {
        if (figures.Find("overhead.samples")?.Reference is { } samplesPerSecond)
            return (1 / samplesPerSecond, "the worker trained standalone");
        if (figures.Value("gemm.128x256x784.NT.t2") is { } gflops)
            return (ComputePerSample(_defaultMlp, gflops), "GEMM 128x256x784 at 2 threads, 6 flop/param");
        return (null, "");
    }

    private static string Key(ConsistencyMode mode) => mode == ConsistencyMode.Bsp ? "bsp" : "ssp";

    private static string Ms(double seconds) => $"{seconds * 1e3,9:F2}";
}
