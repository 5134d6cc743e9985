using System.Diagnostics;
using System.Runtime.InteropServices;
using ParameterServer.Benchmarks.Processes;
using ParameterServer.Benchmarks.Report;
using ParameterServer.Client;
using ParameterServer.Contracts;

namespace ParameterServer.Benchmarks.Transfer;

/// <summary>
/// <c>transfer [--quick] [--with-torch] [--json PATH]</c>: issue 4's speed test. This process pushes and pulls 4 MiB
/// shards of a table held by a real <c>paramserver silo</c> process, with 1, 2, 4 and 8 in flight, on the data plane's
/// lanes (one lane per transfer in flight) and in plain grain calls; in the same run, a raw .NET socket copy of the same
/// bytes to a peer process with as many connections, and with <c>--with-torch</c> the PyTorch RPC parameter server
/// over TCP (Peers/torch_rpc_ps.py). Rounds alternate the paths so that the machine's noise hits them alike; each figure
/// is the round of median throughput. CPU-seconds per GB count both processes (/proc/PID/stat). The silo applies SGD
/// (lr 2^-10) to every push, and at the end every shard is checked against the closed form of its pushes, so figures
/// are only reported for updates that really happened. Both child processes are stopped by their PID, also on failure.
/// </summary>
public static class TransferBenchmark
{
    public const string Raw = "raw", Lanes = "dataplane", Grains = "grains";

    /// <summary>The paths in the order they are measured and printed.</summary>
    public static readonly string[] Paths = [Raw, Lanes, Grains, TorchPeer.Path];

    private const int ShardRows = 256;
    private const int Cols = 4096;
    private const int ShardFloats = ShardRows * Cols; // 4 MiB of float32
    private const int ShardBytes = ShardFloats * sizeof(float);
    private const int Shards = 8;
    private const float LearningRate = 1f / 1024;
    private const string Table = "w";
    private const int GoalInFlight = 4;

    private static readonly int[] InFlight = [1, 2, 4, 8];

    public static async Task<int> RunAsync(string[] args, FigureSink figures, CancellationToken ct = default)
    {
        var quick = Options.Flag(args, "--quick");
        var jsonPath = Options.OptionalText(args, "--json");
        var duration = TimeSpan.FromSeconds(quick ? 1 : 2);
        var rounds = quick ? 1 : 3;
        var warmUp = TimeSpan.FromMilliseconds(quick ? 300 : 800);
        var (loadBefore, started, wall) = (MachineInfo.LoadAverage(), DateTimeOffset.Now, Stopwatch.StartNew());

        Console.WriteLine($"transfer: {Shards} shards of {ShardBytes >> 20} MiB between this process and a paramserver silo process on loopback, " +
            $"{Environment.ProcessorCount} cores; {rounds} round(s) of {duration.TotalSeconds:0.#} s per figure");
        var (measured, verified) = await MeasureAllAsync(duration, rounds, warmUp, ct);
        if (!verified)
        {
            figures.NotMeasured("transfer.verified", Sections.Transfer, "push and pull of 4 MiB shards", "a shard did not hold the closed form of its pushes");
            return 1;
        }
        if (Options.Flag(args, "--with-torch"))
        {
            try
            {
                foreach (var ((push, n), m) in await TorchPeer.MeasureAsync(duration, InFlight))
                    measured[(TorchPeer.Path, push, n)] = m;
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                figures.NotMeasured("pytorch.transfer", Sections.PyTorch, "push and pull against torch.distributed.rpc over TCP", e.Message.Split('\n')[0]);
            }
        }

        TransferTable.Print(Console.Out, InFlight, measured);
        AddFigures(figures, measured);
        if (jsonPath is not null)
        {
            new ReportJson(args, quick, MachineInfo.Current(), loadBefore, MachineInfo.LoadAverage(), started, wall.Elapsed.TotalSeconds,
                FigureTable.Summary(figures.Figures), figures.Figures).Write(jsonPath);
            Console.WriteLine($"figures written to {Path.GetFullPath(jsonPath)}");
        }
        return 0;
    }

    /// <summary>Medians of every path, direction and count in flight, and whether the shards hold what was pushed.</summary>
    private static async Task<(Dictionary<(string, bool, int), Measurement> Measured, bool Verified)> MeasureAllAsync(
        TimeSpan duration, int rounds, TimeSpan warmUp, CancellationToken ct)
    {
        // g_i = (i mod 17) - 8: integers, so w = -lr * pushes * g stays exact in float32 for any count reached here.
        var gradient = new float[ShardFloats];
        for (var i = 0; i < gradient.Length; i++)
            gradient[i] = i % 17 - 8;
        var gradientBytes = MemoryMarshal.AsBytes(gradient.AsSpan()).ToArray();
        var pushes = new long[Shards];
        var destinations = Enumerable.Range(0, InFlight.Max()).Select(_ => new float[ShardFloats]).ToArray();
        var rawDestinations = Enumerable.Range(0, InFlight.Max()).Select(_ => new byte[ShardBytes]).ToArray();

        // Checkpoints only when the shards are created: writing 32 MiB of shards is not what is measured here.
        await using var silo = await SiloProcess.StartAsync(ct, "--checkpoint-every", "2000000000", "--checkpoint-interval", "10:00:00");
        await using var raw = await RawPeer.StartAsync(ShardBytes, InFlight.Max(), Path.Combine(Path.GetTempPath(), "ps-transfer-raw-peer.log"), ct);
        await using var lanes = await ParameterServerClient.ConnectAsync(Connection(silo.GatewayPort, new DataPlaneOptions { LanesPerSilo = InFlight.Max() }), ct);
        await using var grains = await ParameterServerClient.ConnectAsync(Connection(silo.GatewayPort, DataPlaneOptions.Off), ct);
        var spec = new ModelSpec
        {
            Name = $"transfer-{Guid.NewGuid():N}",
            Tables = [new TableSpec { Name = Table, Rows = Shards * ShardRows, Cols = Cols, ShardRows = ShardRows, Initializer = InitializerSpec.Constant(0), Optimizer = OptimizerSpec.Sgd(LearningRate) }],
        };
        var onLanes = await lanes.CreateModelAsync(spec, ct);
        var onGrains = await grains.OpenModelAsync(spec.Name, ct);

        TransferPath[] paths =
        [
            new(Raw, raw.Id, (w, _) => raw.PushAsync(w, gradientBytes), (w, _) => raw.PullAsync(w, rawDestinations[w])),
            ThroughServer(Lanes, silo.Id, onLanes, gradient, destinations, pushes),
            ThroughServer(Grains, silo.Id, onGrains, gradient, destinations, pushes),
        ];
        foreach (var path in paths)
        {
            // Connections, lanes, JIT, the shards' activations.
            await MeasureAsync(InFlight.Max(), warmUp, path.ServerPid, path.Push);
            await MeasureAsync(InFlight.Max(), warmUp, path.ServerPid, path.Pull);
        }
        var samples = new Dictionary<(string, bool, int), List<Measurement>>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var n in InFlight)
            {
                foreach (var push in new[] { true, false })
                {
                    foreach (var path in paths)
                    {
                        var m = await MeasureAsync(n, duration, path.ServerPid, push ? path.Push : path.Pull);
                        (samples.TryGetValue((path.Name, push, n), out var list) ? list : samples[(path.Name, push, n)] = []).Add(m);
                    }
                }
            }
            Console.WriteLine($"  round {round} of {rounds} done");
        }
        var verified = await VerifyAsync(onLanes, gradient, pushes);
        return (samples.ToDictionary(s => s.Key, s => Measurement.Median(s.Value)), verified);
    }

    /// <summary>
    /// Pushes and pulls through the client API. Worker w of n takes shards w, w + n, ... in turn, so no two transfers
    /// in flight touch one shard; every push is counted per shard for the final check.
    /// </summary>
    private static TransferPath ThroughServer(string name, int siloPid, ModelHandle model, float[] gradient, float[][] destinations, long[] pushes)
    {
        var turns = new int[InFlight.Max()];
        int NextShard(int w, int n) => (w + n * turns[w]++) % Shards;
        return new TransferPath(name, siloPid,
            async (w, n) =>
            {
                var shard = NextShard(w, n);
                await model.PushAsync(Table, gradient, rowStart: shard * ShardRows);
                Interlocked.Increment(ref pushes[shard]);
            },
            (w, n) => model.PullAsync(Table, destinations[w], rowStart: NextShard(w, n) * ShardRows));
    }

    /// <summary>Runs <paramref name="inFlight"/> workers for <paramref name="duration"/>, each moving one shard at a time.</summary>
    private static async Task<Measurement> MeasureAsync(int inFlight, TimeSpan duration, int serverPid, Func<int, int, Task> transfer)
    {
        var self = Environment.ProcessId;
        var cpuBefore = ProcessCpu.Seconds(self) + ProcessCpu.Seconds(serverPid);
        var clock = Stopwatch.StartNew();
        var transfers = await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async w =>
        {
            var count = 0L;
            while (clock.Elapsed < duration)
            {
                await transfer(w, inFlight);
                count++;
            }
            return count;
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = ProcessCpu.Seconds(self) + ProcessCpu.Seconds(serverPid) - cpuBefore;
        var gigabytes = transfers.Sum() * (double)ShardBytes / 1e9;
        return new Measurement(gigabytes / seconds, cpu / gigabytes);
    }

    /// <summary>Every shard holds -lr * (its pushes) * g, exactly: no push was lost or applied twice.</summary>
    private static async Task<bool> VerifyAsync(ModelHandle model, float[] gradient, long[] pushes)
    {
        var values = new float[Shards * ShardFloats];
        await model.PullAsync(Table, values);
        for (var s = 0; s < Shards; s++)
        {
            for (var i = 0; i < ShardFloats; i++)
            {
                var expected = -LearningRate * pushes[s] * gradient[i];
                if (values[s * ShardFloats + i] != expected)
                {
                    Console.WriteLine($"shard {s} value {i}: {values[s * ShardFloats + i]} after {pushes[s]} pushes, expected {expected}");
                    return false;
                }
            }
        }
        Console.WriteLine($"  updates verified: {pushes.Sum()} pushes, every shard at -lr * pushes * g");
        return true;
    }

    /// <summary>
    /// Transfer figures (lanes and grain calls against raw sockets; issue 4's goals at 4 in flight) and, when measured,
    /// the PyTorch comparison (lanes against torch.distributed.rpc over TCP).
    /// </summary>
    private static void AddFigures(FigureSink figures, IReadOnlyDictionary<(string Path, bool Push, int InFlight), Measurement> measured)
    {
        foreach (var path in new[] { Lanes, Grains })
        {
            foreach (var n in InFlight)
            {
                foreach (var push in new[] { true, false })
                {
                    var (direction, ours, raw) = (push ? "push" : "pull", measured[(path, push, n)], measured[(Raw, push, n)]);
                    var goals = path == Lanes && n == GoalInFlight;
                    var shape = $"4 MiB shards{(path == Grains ? " by grain calls" : "")}, {n} in flight";
                    figures.Add(new Figure($"transfer.{path}.{direction}.x{n}", Sections.Transfer, $"{direction} {shape}", "GB/s",
                        ours.GigabytesPerSecond, raw.GigabytesPerSecond, $"raw socket, {n} connections", goals ? Goal.RatioAtLeast(0.8) : null));
                    figures.Add(new Figure($"transfer.{path}.{direction}.cpu.x{n}", Sections.Transfer, $"{direction} {shape}: CPU, client + silo", "CPU-s/GB",
                        ours.CpuSecondsPerGigabyte, raw.CpuSecondsPerGigabyte, "raw socket", goals ? Goal.ValueAtMost(1.0) : null));
                }
            }
        }
        foreach (var n in InFlight)
        {
            foreach (var push in new[] { true, false })
            {
                if (!measured.TryGetValue((TorchPeer.Path, push, n), out var torch))
                    continue;
                var direction = push ? "push" : "pull";
                figures.Add(new Figure($"pytorch.transfer.{direction}.x{n}", Sections.PyTorch, $"{direction} 4 MiB shards on lanes, {n} in flight", "GB/s",
                    measured[(Lanes, push, n)].GigabytesPerSecond, torch.GigabytesPerSecond, "torch.distributed.rpc, TCP",
                    n == GoalInFlight ? Goal.RatioAtLeast(1.6) : null));
            }
        }
    }

    private static ConnectionOptions Connection(int gatewayPort, DataPlaneOptions dataPlane) =>
        new() { GatewayPort = gatewayPort, ConnectTimeout = TimeSpan.FromSeconds(60), DataPlane = dataPlane };
}
