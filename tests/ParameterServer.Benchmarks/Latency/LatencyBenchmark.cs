using System.Diagnostics;
using ParameterServer.Benchmarks.DataPlane;
using ParameterServer.Benchmarks.Processes;
using ParameterServer.Benchmarks.Report;
using ParameterServer.Client;
using ParameterServer.Contracts;

namespace ParameterServer.Benchmarks.Latency;

/// <summary>
/// <c>latency [--seconds 2] [--in-flight 1,2,4,8,16,32,64]</c>: a console load generator against a real
/// <c>paramserver silo</c> process that it starts (and stops by its PID). It keeps N small pushes (one 1x256 row,
/// 1 KiB, of a one-shard table applied with SGD) or N small pulls of that row in flight for a bounded time per
/// point and reports the round trip's p50 and p99 from an HdrHistogram, and the calls per second at the highest N.
/// The reference, measured at each point just after ours: the same bytes as a request and reply on N raw loopback
/// sockets in this process (<see cref="RawSocketCopy"/>), the floor any transport on this machine pays.
/// </summary>
public static class LatencyBenchmark
{
    private const string Table = "row";
    private const int Cols = 256;

    public static async Task<int> RunAsync(string[] args, FigureSink figures, CancellationToken ct = default)
    {
        var seconds = Options.Double(args, "--seconds", 2);
        var inFlight = Options.IntList(args, "--in-flight", [1, 2, 4, 8, 16, 32, 64]);
        var duration = TimeSpan.FromSeconds(seconds);
        var payload = new byte[Cols * sizeof(float)];
        new Random(1).NextBytes(payload);

        await using var silo = await SiloProcess.StartAsync(ct);
        await using var client = await ParameterServerClient.ConnectAsync(new ConnectionOptions { GatewayPort = silo.GatewayPort }, ct);
        var model = await client.CreateModelAsync(new ModelSpec
        {
            Name = $"latency-{Guid.NewGuid():N}",
            Consistency = ConsistencySpec.Async,
            Tables = [new TableSpec { Name = Table, Rows = 1, Cols = Cols, Optimizer = OptimizerSpec.Sgd(1e-6f) }],
        }, ct);
        await using var raw = await RawSocketCopy.StartAsync(inFlight.Max(), payload);

        var gradient = new float[Cols];
        Array.Fill(gradient, 1e-3f);
        var pulled = new float[inFlight.Max()][];
        var rawPulled = new byte[inFlight.Max()][];
        for (var i = 0; i < pulled.Length; i++) (pulled[i], rawPulled[i]) = (new float[Cols], new byte[payload.Length]);
        var operations = new (string Name, Func<int, Task> Ours, Func<int, Task> Raw)[]
        {
            ("push", _ => model.PushAsync(Table, gradient, ct: ct), loop => raw.PushAsync(loop, payload)),
            ("pull", loop => model.PullAsync(Table, pulled[loop], ct: ct), loop => raw.PullAsync(loop, rawPulled[loop])),
        };

        Console.WriteLine($"latency: one 1x{Cols} row ({payload.Length} B) pushed to or pulled from paramserver silo (PID {silo.Id}) on loopback, " +
            $"{seconds:0.##} s per point, reference: the same bytes on raw loopback sockets in process; {Environment.ProcessorCount} cores");
        foreach (var (_, ours, rawCall) in operations)
        {
            // Warm-up: JIT, connections, the grain's activation.
            await MeasureAsync(inFlight.Max(), TimeSpan.FromSeconds(Math.Min(seconds, 0.5)), ours, ct);
            await MeasureAsync(inFlight.Max(), TimeSpan.FromSeconds(Math.Min(seconds, 0.5)), rawCall, ct);
        }

        Console.WriteLine($"{"op",-5} {"in flight",9} {"p50 µs",9} {"p99 µs",9} {"calls/s",9} | {"raw p50",9} {"raw p99",9} {"raw calls/s",11}");
        foreach (var (name, ours, rawCall) in operations)
        {
            foreach (var n in inFlight)
            {
                var o = await MeasureAsync(n, duration, ours, ct);
                var r = await MeasureAsync(n, duration, rawCall, ct);
                Console.WriteLine($"{name,-5} {n,9} {o.P50,9:F0} {o.P99,9:F0} {o.CallsPerSecond,9:F0} | {r.P50,9:F0} {r.P99,9:F0} {r.CallsPerSecond,11:F0}");
                figures.Add(new Figure($"latency.{name}.p50.x{n}", Sections.Latency, $"{name} 1x{Cols} p50, {n} in flight", "µs", o.P50, r.P50, "raw socket"));
                figures.Add(new Figure($"latency.{name}.p99.x{n}", Sections.Latency, $"{name} 1x{Cols} p99, {n} in flight", "µs", o.P99, r.P99, "raw socket"));
                if (n == inFlight.Max())
                    figures.Add(new Figure($"latency.{name}.rate", Sections.Latency, $"{name} 1x{Cols} calls/s, {n} in flight", "calls/s", o.CallsPerSecond, r.CallsPerSecond, "raw socket"));
            }
        }
        return 0;
    }

    /// <summary>Round trips of <paramref name="call"/> with <paramref name="inFlight"/> loops each keeping one call in flight.</summary>
    private static async Task<Point> MeasureAsync(int inFlight, TimeSpan duration, Func<int, Task> call, CancellationToken ct)
    {
        var recorders = new LatencyRecorder[inFlight];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async loop =>
        {
            var recorder = recorders[loop] = new LatencyRecorder();
            while (clock.Elapsed < duration)
            {
                ct.ThrowIfCancellationRequested();
                var start = Stopwatch.GetTimestamp();
                await call(loop);
                recorder.RecordSince(start);
            }
        }));
        var merged = LatencyRecorder.Merge(recorders);
        return new Point(merged.PercentileMicroseconds(50), merged.PercentileMicroseconds(99), merged.Count / clock.Elapsed.TotalSeconds);
    }

    private readonly record struct Point(double P50, double P99, double CallsPerSecond);
}
