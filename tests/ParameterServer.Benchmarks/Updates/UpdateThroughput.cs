using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using ParameterServer.Benchmarks.Probes;
using ParameterServer.Benchmarks.Report;

namespace ParameterServer.Benchmarks.Updates;

/// <summary>
/// <c>updates [--quick]</c>: parameters per second of each rule's Apply on one thread, on one 4 MiB shard kept in
/// cache ("hot") and rotating over shards far larger than the last-level cache ("cold", as a silo holding many
/// shards sees them). Each figure is set against the in-place triad probe over the same working set, measured just
/// before it in the same run, since this machine is shared and its bandwidth varies from minute to minute.
/// Each rate is the fastest of several short batches, as STREAM reports: other load only ever slows a batch down.
/// Figures: each rule's rate against the probe's bandwidth over its bytes per parameter, hot and cold (goal: at least
/// 0.7 of the probe, issue 6).
/// </summary>
public static class UpdateThroughput
{
    /// <summary>16 shards x (w, g, m, v) x 4 MiB = 256 MiB, eight times a 32 MiB L3.</summary>
    private const int ColdShards = 16;

    /// <summary>The cold probe's arrays: 2 x 128 MiB.</summary>
    private const int ColdProbeLength = 32 << 20;

    private const double SgdGoal = 1e9, AdamWGoal = 0.4e9;

    private static readonly Report.Goal _ratioGoal = Report.Goal.RatioAtLeast(0.7);

    private sealed record Timing(TimeSpan WarmUp, TimeSpan Batch, int Batches);

    private sealed record Row(UpdateRule Rule, Measurement Hot, Measurement Cold, double ReferenceRate);

    /// <summary>An update's rate in parameters/s, and the probe's rate in bytes/s over the same working set.</summary>
    private sealed record Measurement(double Rate, int BytesPerParameter, double ProbeBytesPerSecond)
    {
        public double BytesPerSecond => Rate * BytesPerParameter;
        public double RatioToProbe => BytesPerSecond / ProbeBytesPerSecond;
    }

    public static int Run(string[] args, FigureSink figures)
    {
        var quick = args.Contains("--quick");
        var timing = quick
            ? new Timing(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(40), 5)
            : new Timing(TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(100), 20);
        const int n = UpdateRule.ShardLength;
        Console.WriteLine($"Server-side updates, one thread, shards of {n:N0} floats (4 MiB); {RuntimeInformation.FrameworkDescription}, " +
            $"{RuntimeInformation.ProcessArchitecture}, Vector<float> = {Vector<float>.Count} lanes, {Environment.ProcessorCount} cores{(quick ? ", quick" : "")}");

        var shards = new ShardArrays[ColdShards];
        for (var k = 0; k < shards.Length; k++) shards[k] = new ShardArrays(n, slots: 2, seed: k);
        var probeA = new float[ColdProbeLength];
        var probeB = new float[ColdProbeLength];
        Array.Fill(probeB, 1e-9f);

        var rows = new List<Row>();
        foreach (var rule in UpdateRule.All)
        {
            // Hot: the rule's arrays take (2 + slots) x 4 MiB; the probe's two arrays take the same in all.
            var hotProbeLength = (2 + rule.Slots) * n / 2;
            var hotProbe = Rate(i => MemoryBandwidth.Triad(probeA.AsSpan(0, hotProbeLength), probeB.AsSpan(0, hotProbeLength), 1f), hotProbeLength, timing);
            Reset(shards);
            var hot = Rate(_ => rule.Apply(shards[0]), n, timing);

            var coldProbe = Rate(_ => MemoryBandwidth.Triad(probeA, probeB, 1f), ColdProbeLength, timing);
            Reset(shards);
            var cold = Rate(i => rule.Apply(shards[i % shards.Length]), n, timing);

            Reset(shards);
            var reference = Rate(_ => rule.Reference(shards[0]), n, timing);
            rows.Add(new Row(rule,
                new Measurement(hot, rule.BytesPerParameter, hotProbe * MemoryBandwidth.BytesPerElement),
                new Measurement(cold, rule.BytesPerParameter, coldProbe * MemoryBandwidth.BytesPerElement),
                reference));
        }

        Print(rows);
        foreach (var row in rows)
        {
            Add(figures, row.Rule, "hot", "1 shard in cache", row.Hot);
            Add(figures, row.Rule, "cold", $"{ColdShards} shards", row.Cold);
        }
        return 0;
    }

    /// <summary>The rate against the probe's bandwidth over the rule's bytes per parameter: the ratio of their memory traffic.</summary>
    private static void Add(FigureSink figures, UpdateRule rule, string where, string description, Measurement m) =>
        figures.Add(new Figure($"updates.{rule.Name.ToLowerInvariant()}.{where}", Sections.ServerUpdate,
            $"{rule.Name}, {where} ({description})", "Mparam/s", m.Rate / 1e6, m.ProbeBytesPerSecond / m.BytesPerParameter / 1e6,
            "triad probe", _ratioGoal, $"{m.BytesPerSecond / 1e9:F1} of {m.ProbeBytesPerSecond / 1e9:F1} GB/s"));

    private static void Reset(ShardArrays[] shards)
    {
        foreach (var shard in shards) shard.ResetOptimizerState();
    }

    /// <summary>Elements per second: the fastest of timed batches after a warm-up that lets the JIT reach optimized code.</summary>
    private static double Rate(Action<int> call, int elementsPerCall, Timing timing)
    {
        var calls = 0;
        Batch(call, ref calls, timing.WarmUp);
        var best = 0.0;
        for (var b = 0; b < timing.Batches; b++)
        {
            var (count, elapsed) = Batch(call, ref calls, timing.Batch);
            best = Math.Max(best, count * (double)elementsPerCall / elapsed.TotalSeconds);
        }
        return best;
    }

    private static (int Calls, TimeSpan Elapsed) Batch(Action<int> call, ref int calls, TimeSpan duration)
    {
        var start = Stopwatch.GetTimestamp();
        var count = 0;
        TimeSpan elapsed;
        do
        {
            call(calls++);
            count++;
        } while ((elapsed = Stopwatch.GetElapsedTime(start)) < duration);
        return (count, elapsed);
    }

    private static void Print(List<Row> rows)
    {
        Console.WriteLine();
        Console.WriteLine("probe: in-place triad a[i] += s * b[i] (12 B/element) over the same working set, measured just before each figure");
        Console.WriteLine($"hot: one shard, in cache; cold: {ColdShards} shards in turn (up to 256 MiB), probe over 2 x 128 MiB");
        Console.WriteLine();
        Console.WriteLine($"{"",-9} {"",7} | {"hot",-37} | {"cold",-37} | {"scalar Reference (hot)",-22}");
        Console.WriteLine($"{"rule",-9} {"B/param",7} | {"Mparam/s",9} {"GB/s",7} {"probe GB/s",10} {"ratio",7} | {"Mparam/s",9} {"GB/s",7} {"probe GB/s",10} {"ratio",7} | {"Mparam/s",9} {"Apply/Ref",12}");
        foreach (var (rule, hot, cold, reference) in rows)
            Console.WriteLine($"{rule.Name,-9} {rule.BytesPerParameter,7} | {Cells(hot)} | {Cells(cold)} | {reference / 1e6,9:F0} {hot.Rate / reference,11:F1}x");
        Console.WriteLine();
        Goal(rows, "SGD", SgdGoal);
        Goal(rows, "AdamW", AdamWGoal);
    }

    private static string Cells(Measurement f) =>
        $"{f.Rate / 1e6,9:F0} {f.BytesPerSecond / 1e9,7:F1} {f.ProbeBytesPerSecond / 1e9,10:F1} {f.RatioToProbe,7:F2}";

    private static void Goal(List<Row> rows, string name, double goal)
    {
        var row = rows.Single(r => r.Rule.Name == name);
        var met = Math.Min(row.Hot.Rate, row.Cold.Rate) >= goal ? "met" : "NOT met";
        Console.WriteLine($"goal (issue 2): {name} >= {goal / 1e6:F0} Mparam/s on one core: hot {row.Hot.Rate / 1e6:F0}, cold {row.Cold.Rate / 1e6:F0}: {met}");
    }
}
