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
/// 1 KiB, of a one-shard table applied with SGD) or N small pulls of that row in flight for a bounded time per point,
/// through two clients: the default one (bytes on the data plane's lanes, a push committed in a grain call) and one
/// with every byte in grain calls. Reports the round trip's p50 and p99 from an HdrHistogram, and the calls per
/// second at the highest N. The reference, measured at each point just before ours: the same bytes as a request and
/// reply on N raw loopback sockets in this process (<see cref="RawSocketCopy"/>), the floor of any transport here.
/// </summary>
public static class LatencyBenchmark
{
    private const string Table = "row";
    private const int Cols = 256;

    // A p99 needs 100 samples; on a loaded machine a short point can end after a handful of slow calls.
    private const int MinRoundTrips = 200;

    /// <summary>A client configuration measured: its figures' id prefix and the words that name it.</summary>
    private sealed record Path(string Id, string Label, DataPlaneOptions DataPlane);

    private static readonly Path[] _paths =
    [
        new("latency", "", new DataPlaneOptions()),
        new("latency.grain", " by grain calls", DataPlaneOptions.Off),
    ];

    public static async Task<int> RunAsync(string[] args, FigureSink figures, CancellationToken ct = default)
    {
        var seconds = Options.Double(args, "--seconds", 2);
        var inFlight = Options.IntList(args, "--in-flight", [1, 2, 4, 8, 16, 32, 64]);
        var duration = TimeSpan.FromSeconds(seconds);
        var warmUp = TimeSpan.FromSeconds(Math.Min(seconds, 0.5));
        var payload = new byte[Cols * sizeof(float)];
        new Random(1).NextBytes(payload);

        await using var silo = await SiloProcess.StartAsync(ct);
        var clients = new ParameterServerClient[_paths.Length];
        try
        {
            var spec = new ModelSpec
            {
                Name = $"latency-{Guid.NewGuid():N}",
                Consistency = ConsistencySpec.Async,
                Tables = [new TableSpec { Name = Table, Rows = 1, Cols = Cols, Optimizer = OptimizerSpec.Sgd(1e-6f) }],
            };
            var models = new ModelHandle[_paths.Length];
            for (var p = 0; p < _paths.Length; p++)
            {
                clients[p] = await ParameterServerClient.ConnectAsync(silo.Connection(_paths[p].DataPlane), ct);
                models[p] = await clients[p].CreateModelAsync(spec, ct);
            }
            await using var raw = await RawSocketCopy.StartAsync(inFlight.Max(), payload);

            var gradient = new float[Cols];
            Array.Fill(gradient, 1e-3f);
            var pulled = new float[inFlight.Max()][];
            var rawPulled = new byte[inFlight.Max()][];
            for (var i = 0; i < pulled.Length; i++) (pulled[i], rawPulled[i]) = (new float[Cols], new byte[payload.Length]);
            var operations = new (string Name, Func<ModelHandle, int, Task> Ours, Func<int, Task> Raw)[]
            {
                ("push", (model, _) => model.PushAsync(Table, gradient, ct: ct), loop => raw.PushAsync(loop, payload)),
                ("pull", (model, loop) => model.PullAsync(Table, pulled[loop], ct: ct), loop => raw.PullAsync(loop, rawPulled[loop])),
            };

            Console.WriteLine($"latency: one 1x{Cols} row ({payload.Length} B) pushed to or pulled from paramserver silo (PID {silo.Pid}) on loopback, " +
                $"{seconds:0.##} s per point; reference: the same bytes on raw loopback sockets in process; {Environment.ProcessorCount} cores");
            foreach (var (_, ours, rawCall) in operations)
            {
                // Warm-up: JIT, connections and lanes, the grain's activation.
                await MeasureAsync(inFlight.Max(), warmUp, rawCall, ct);
                foreach (var model in models) await MeasureAsync(inFlight.Max(), warmUp, loop => ours(model, loop), ct);
            }

            Console.WriteLine($"{"op",-5} {"in flight",9} | {"raw p50",8} {"p99",8} {"calls/s",8} | {"lanes p50",9} {"p99",8} {"calls/s",8} | {"grain p50",9} {"p99",8} {"calls/s",8}");
            foreach (var (name, ours, rawCall) in operations)
            {
                foreach (var n in inFlight)
                {
                    var r = await MeasureAsync(n, duration, rawCall, ct);
                    var line = $"{name,-5} {n,9} | {r.P50,8:F0} {r.P99,8:F0} {r.CallsPerSecond,8:F0}";
                    for (var p = 0; p < _paths.Length; p++)
                    {
                        var model = models[p];
                        var o = await MeasureAsync(n, duration, loop => ours(model, loop), ct);
                        line += $" | {o.P50,9:F0} {o.P99,8:F0} {o.CallsPerSecond,8:F0}";
                        var (id, label) = ($"{_paths[p].Id}.{name}", $"{name} 1x{Cols}{_paths[p].Label}");
                        figures.Add(new Figure($"{id}.p50.x{n}", Sections.Latency, $"{label} p50, {n} in flight", "µs", o.P50, r.P50, "raw socket"));
                        figures.Add(new Figure($"{id}.p99.x{n}", Sections.Latency, $"{label} p99, {n} in flight", "µs", o.P99, r.P99, "raw socket"));
                        if (n == inFlight.Max())
                            figures.Add(new Figure($"{id}.rate", Sections.Latency, $"{label} calls/s, {n} in flight", "calls/s", o.CallsPerSecond, r.CallsPerSecond, "raw socket"));
                    }
                    Console.WriteLine(line);
                }
            }
            return 0;
        }
        finally
        {
            foreach (var client in clients)
            {
                if (client is not null) await client.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Round trips of <paramref name="call"/> with <paramref name="inFlight"/> loops each keeping one call in flight,
    /// for <paramref name="duration"/> and at least <see cref="MinRoundTrips"/> calls.
    /// </summary>
    private static async Task<Point> MeasureAsync(int inFlight, TimeSpan duration, Func<int, Task> call, CancellationToken ct)
    {
        var recorders = new LatencyRecorder[inFlight];
        var calls = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async loop =>
        {
            var recorder = recorders[loop] = new LatencyRecorder();
            while (clock.Elapsed < duration || Volatile.Read(ref calls) < MinRoundTrips)
            {
                ct.ThrowIfCancellationRequested();
                var start = Stopwatch.GetTimestamp();
                await call(loop);
                recorder.RecordSince(start);
                Interlocked.Increment(ref calls);
            }
        }));
        var merged = LatencyRecorder.Merge(recorders);
        return new Point(merged.PercentileMicroseconds(50), merged.PercentileMicroseconds(99), merged.Count / clock.Elapsed.TotalSeconds);
    }

    private readonly record struct Point(double P50, double P99, double CallsPerSecond);
}
