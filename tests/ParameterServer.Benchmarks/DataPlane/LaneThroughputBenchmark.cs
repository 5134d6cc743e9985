using System.Diagnostics;
using System.Net;
using ParameterServer.Benchmarks.Report;
using ParameterServer.DataPlane;

namespace ParameterServer.Benchmarks.DataPlane;

/// <summary>
/// Push and pull throughput of the data plane's lanes against a raw .NET socket copy with as many connections,
/// client and server on loopback in one process (their own tasks on the thread pool), measured in one run in
/// alternating rounds so that the machine's noise hits both alike. Reports GB/s, CPU-seconds per GB (client and
/// server together) and the lanes/raw ratio (goal: at least 0.8, issue 4).
/// Usage: <c>dataplane [--payload-mib 4] [--in-flight 4] [--seconds 2] [--rounds 3]</c>
/// </summary>
public static class LaneThroughputBenchmark
{
    public static async Task<int> RunAsync(string[] args, FigureSink figures)
    {
        var payloadBytes = Options.Int(args, "--payload-mib", 4) << 20;
        var inFlight = Options.Int(args, "--in-flight", 4);
        var duration = TimeSpan.FromSeconds(Options.Double(args, "--seconds", 2));
        var rounds = Options.Int(args, "--rounds", 3);

        var payload = new byte[payloadBytes];
        new Random(1).NextBytes(payload);
        var destinations = Enumerable.Range(0, inFlight).Select(_ => new byte[payloadBytes]).ToArray();

        await using var raw = await RawSocketCopy.StartAsync(inFlight, payload);
        var shard = new FixedShard(payload);
        await using var server = new LaneServer(
            new LaneServerOptions { Address = IPAddress.Loopback, Port = 0, MaxPayloadBytes = payloadBytes, StagingCapacityBytes = (long)inFlight * 2 * payloadBytes },
            shard, shard);
        shard.Staging = server.Staging;
        server.Start();
        using var client = new LaneClient(new LaneClientOptions { LanesPerEndpoint = inFlight });
        var endpoint = server.Endpoint!;

        Func<int, Task<long>> rawPush = async worker => { await raw.PushAsync(worker, payload); return payloadBytes; };
        Func<int, Task<long>> rawPull = async worker => await raw.PullAsync(worker, destinations[worker]);
        Func<int, Task<long>> lanePush = async worker =>
        {
            await client.PushAndCommitAsync(endpoint, "bench/t/0", 0, payload, commit: default);
            return payloadBytes;
        };
        Func<int, Task<long>> lanePull = async worker => (await client.PullAsync(endpoint, "bench/t/0", -1, 0, destinations[worker])).Length;

        Console.WriteLine($"data plane: {payloadBytes >> 20} MiB payloads, {inFlight} in flight over {inFlight} connections, " +
            $"{rounds} rounds of {duration.TotalSeconds:0.#} s, loopback, {Environment.ProcessorCount} cores");
        var cases = new (string Name, Func<int, Task<long>> Step)[] { ("raw push", rawPush), ("lane push", lanePush), ("raw pull", rawPull), ("lane pull", lanePull) };
        foreach (var (_, step) in cases)
            await MeasureAsync(inFlight, TimeSpan.FromMilliseconds(300), step); // warm-up: connections, JIT, pools
        var results = cases.ToDictionary(c => c.Name, _ => new List<Measurement>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, step) in cases)
                results[name].Add(await MeasureAsync(inFlight, duration, step));
        }

        Console.WriteLine($"{"path",-10} {"GB/s",8} {"CPU-s/GB",9}   (median of {rounds} rounds)");
        var medians = results.ToDictionary(r => r.Key, r => r.Value.OrderBy(m => m.GigabytesPerSecond).ElementAt(rounds / 2));
        foreach (var (name, m) in medians)
            Console.WriteLine($"{name,-10} {m.GigabytesPerSecond,8:0.00} {m.CpuSecondsPerGigabyte,9:0.00}");
        Console.WriteLine($"lane/raw push {medians["lane push"].GigabytesPerSecond / medians["raw push"].GigabytesPerSecond:0.00}, " +
            $"pull {medians["lane pull"].GigabytesPerSecond / medians["raw pull"].GigabytesPerSecond:0.00}");
        foreach (var direction in new[] { "push", "pull" })
        {
            var (lanes, socket) = (medians[$"lane {direction}"], medians[$"raw {direction}"]);
            var shape = $"{payloadBytes >> 20} MiB, {inFlight} in flight, in process";
            figures.Add(new Figure($"lanes.{direction}.gbps", Sections.Lanes, $"lane {direction} ({shape})", "GB/s",
                lanes.GigabytesPerSecond, socket.GigabytesPerSecond, "raw socket", Goal.RatioAtLeast(0.8)));
            figures.Add(new Figure($"lanes.{direction}.cpu", Sections.Lanes, $"lane {direction} CPU, client + server ({shape})", "CPU-s/GB",
                lanes.CpuSecondsPerGigabyte, socket.CpuSecondsPerGigabyte, "raw socket"));
        }
        return 0;
    }

    private static async Task<Measurement> MeasureAsync(int inFlight, TimeSpan duration, Func<int, Task<long>> step)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var bytes = await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async worker =>
        {
            var total = 0L;
            while (clock.Elapsed < duration)
                total += await step(worker);
            return total;
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        var gigabytes = bytes.Sum() / 1e9;
        return new Measurement(gigabytes / seconds, (process.TotalProcessorTime - cpuBefore).TotalSeconds / gigabytes);
    }

    private readonly record struct Measurement(double GigabytesPerSecond, double CpuSecondsPerGigabyte);

    /// <summary>
    /// A shard whose snapshot never changes, and whose commit takes the staged bytes and gives the buffer back; it screens
    /// nothing as bytes arrive.
    /// </summary>
    private sealed class FixedShard(byte[] bytes) : ISnapshotSource, IPushCommitter
    {
        public StagingArea? Staging { get; set; }

        public ValueTask<ShardSnapshot> GetSnapshotAsync(string shardKey, long knownVersion, byte encoding, CancellationToken ct) =>
            ValueTask.FromResult(ShardSnapshot.Of(1, bytes));

        public int Screen(byte encoding, ReadOnlySpan<byte> bytes) => -1;

        public ValueTask<int> CommitAsync(Guid token, string shardKey, byte encoding, ReadOnlyMemory<byte> commit, Memory<byte> answer, CancellationToken ct)
        {
            Staging!.TryTake(token, shardKey, out var push);
            push!.Dispose();
            return ValueTask.FromResult(0);
        }
    }
}
