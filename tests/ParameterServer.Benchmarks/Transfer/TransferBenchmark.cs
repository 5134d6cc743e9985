using System.Diagnostics;
using System.Runtime.InteropServices;
using ParameterServer.Benchmarks.Processes;
using ParameterServer.Benchmarks.Report;
using ParameterServer.Client;
using ParameterServer.Contracts;

namespace ParameterServer.Benchmarks.Transfer;

/// <summary>
/// <c>transfer [--quick] [--in-flight 1,2,4,8] [--seconds S] [--with-torch] [--torch-modes default,tcp]</c>: issue 4's
/// speed test and issue 6's items 1 and 7b. This process pushes and pulls 4 MiB shards of a table held by a real
/// <c>paramserver silo</c> process, with 1, 2, 4 and 8 in flight, on the data plane's lanes (one lane per transfer in
/// flight) and in plain grain calls; in the same run, a raw .NET socket copy of the same bytes to a peer process with
/// as many connections, and with <c>--with-torch</c> a PyTorch RPC parameter server (Peers/torch_rpc_ps.py) with its
/// default transports and over TCP only, at the counts of 1 and 4 in flight this run measures. Rounds alternate the
/// paths so that the machine's noise hits them alike; each figure is the round of median throughput. CPU-seconds per
/// GB count both processes (/proc/PID/stat). The silo applies SGD (lr 2^-10) to every push, and at the end every shard
/// is checked against the closed form of its pushes, so figures are only reported for updates that really happened.
/// Each round also measures the silo's NaN screen and SGD update alone in this process (<see cref="ServerUpdateCost"/>):
/// push's CPU less them is what lanes and the commit cost beyond a raw copy, which neither screens nor updates.
/// Both child processes are stopped by their PID, also on failure.
/// </summary>
public static class TransferBenchmark
{
    public const string Raw = "raw", Lanes = "dataplane", Grains = "grains";

    /// <summary>Where the measurements hold the silo's screen and its update, each alone (<see cref="ServerUpdateCost"/>).</summary>
    private static readonly (string, bool, int) ScreenKey = ("screen", true, 0), UpdateKey = ("update", true, 0);

    /// <summary>The paths in the order they are printed.</summary>
    public static readonly string[] Paths = [Raw, Lanes, Grains, TorchPeer.Path(TorchPeer.Tcp), TorchPeer.Path(TorchPeer.Default)];

    /// <summary>The counts in flight issue 6 names: all four for our paths, 1 and 4 for PyTorch.</summary>
    public static readonly int[] InFlight = [1, 2, 4, 8], TorchInFlight = [1, 4];

    private const int ShardRows = 256;
    private const int Cols = 4096;
    private const int ShardFloats = ShardRows * Cols; // 4 MiB of float32
    private const int ShardBytes = ShardFloats * sizeof(float);
    private const int Shards = 8;
    private const float LearningRate = 1f / 1024;
    private const string Table = "w";

    // The goals: lanes at least 0.8 of raw sockets (issue 6, item 1); at 4 in flight at most 1.0 CPU-s/GB and 1.6x
    // PyTorch RPC over TCP (issue 4), elsewhere at least 1.0x PyTorch over TCP (issue 6, item 7b).
    private const int GoalInFlight = 4;
    private const double RawRatioGoal = 0.8, CpuGoal = 1.0, TorchRatioGoal = 1.6, TorchRatioFloor = 1.0;

    public static async Task<int> RunAsync(string[] args, FigureSink figures, CancellationToken ct = default)
    {
        var quick = Options.Flag(args, "--quick");
        var inFlight = Options.IntList(args, "--in-flight", InFlight);
        var duration = TimeSpan.FromSeconds(Options.Double(args, "--seconds", quick ? 1 : 2));
        var rounds = quick ? 1 : 3;
        var warmUp = TimeSpan.FromMilliseconds(quick ? 300 : 800);

        Console.WriteLine($"transfer: {Shards} shards of {ShardBytes >> 20} MiB between this process and a paramserver silo process on loopback, " +
            $"{Environment.ProcessorCount} cores; {rounds} round(s) of {duration.TotalSeconds:0.#} s per figure, median");
        var (measured, verified) = await MeasureAllAsync(inFlight, duration, rounds, warmUp, ct);
        if (!verified)
        {
            figures.NotMeasured("transfer.verified", Sections.Transfer, "push and pull of 4 MiB shards", "a shard did not hold the closed form of its pushes");
            return 1;
        }
        // After the silo and the raw peer are gone, so that PyTorch has the cores to itself.
        var torchInFlight = TorchInFlight.Intersect(inFlight).ToArray();
        string? torchVersion = null;
        if (Options.Flag(args, "--with-torch") && torchInFlight.Length > 0)
        {
            try
            {
                var torch = await TorchPeer.MeasureAsync(duration, torchInFlight, Options.Text(args, "--torch-modes", $"{TorchPeer.Default},{TorchPeer.Tcp}"), ct);
                foreach (var (key, m) in torch.Transfers)
                    measured[key] = m;
                torchVersion = torch.TorchVersion;
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                figures.NotMeasured("pytorch.transfer", Sections.PyTorch, "push and pull against torch.distributed.rpc", e.Message.Split('\n')[0]);
            }
        }

        TransferTable.Print(Console.Out, inFlight, measured);
        AddFigures(figures, inFlight, measured, torchVersion);
        return 0;
    }

    /// <summary>Medians of every path, direction and count in flight, and whether the shards hold what was pushed.</summary>
    private static async Task<(Dictionary<(string, bool, int), Measurement> Measured, bool Verified)> MeasureAllAsync(
        int[] inFlight, TimeSpan duration, int rounds, TimeSpan warmUp, CancellationToken ct)
    {
        // g_i = (i mod 17) - 8: integers, so w = -lr * pushes * g stays exact in float32 for any count reached here.
        var gradient = new float[ShardFloats];
        for (var i = 0; i < gradient.Length; i++)
            gradient[i] = i % 17 - 8;
        var gradientBytes = MemoryMarshal.AsBytes(gradient.AsSpan()).ToArray();
        var pushes = new long[Shards];
        var most = inFlight.Max();
        var destinations = Enumerable.Range(0, most).Select(_ => new float[ShardFloats]).ToArray();
        var rawDestinations = Enumerable.Range(0, most).Select(_ => new byte[ShardBytes]).ToArray();

        await using var silo = await SiloProcess.StartAsync(ct);
        await using var raw = await RawPeer.StartAsync(ShardBytes, most, ct);
        await using var lanes = await ParameterServerClient.ConnectAsync(silo.Connection(new DataPlaneOptions { LanesPerSilo = most }), ct);
        await using var grains = await ParameterServerClient.ConnectAsync(silo.Connection(DataPlaneOptions.Off), ct);
        var spec = new ModelSpec
        {
            Name = $"transfer-{Guid.NewGuid():N}",
            Tables = [new TableSpec { Name = Table, Rows = Shards * ShardRows, Cols = Cols, ShardRows = ShardRows, Initializer = InitializerSpec.Constant(0), Optimizer = OptimizerSpec.Sgd(LearningRate) }],
        };
        var onLanes = await lanes.CreateModelAsync(spec, ct);
        var onGrains = await grains.OpenModelAsync(spec.Name, ct);

        TransferPath[] paths =
        [
            new(Raw, raw.Pid, (w, _) => raw.PushAsync(w, gradientBytes), (w, _) => raw.PullAsync(w, rawDestinations[w])),
            ThroughServer(Lanes, silo.Pid, onLanes, gradient, destinations, pushes, most),
            ThroughServer(Grains, silo.Pid, onGrains, gradient, destinations, pushes, most),
        ];
        foreach (var path in paths)
        {
            // Connections, lanes, JIT, the shards' activations.
            await MeasureAsync(most, warmUp, path.ServerPid, path.Push);
            await MeasureAsync(most, warmUp, path.ServerPid, path.Pull);
        }
        var samples = new Dictionary<(string, bool, int), List<Measurement>>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var n in inFlight)
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
            // The silo's own work per push, for the gap between lane pushes and raw sockets.
            var (screen, update) = ServerUpdateCost.Measure(Shards, ShardFloats, Math.Min(GoalInFlight, most), LearningRate, duration);
            (samples.TryGetValue(ScreenKey, out var screens) ? screens : samples[ScreenKey] = []).Add(screen);
            (samples.TryGetValue(UpdateKey, out var updates) ? updates : samples[UpdateKey] = []).Add(update);
            Console.WriteLine($"  round {round} of {rounds} done");
        }
        var verified = await VerifyAsync(onLanes, gradient, pushes);
        return (samples.ToDictionary(s => s.Key, s => Measurement.Median(s.Value)), verified);
    }

    /// <summary>
    /// The figures: lanes and grain calls against raw sockets (GB/s, and CPU-s/GB of client and silo) at every count
    /// in flight, and lanes against PyTorch RPC in each mode it was measured in.
    /// </summary>
    private static void AddFigures(FigureSink figures, int[] inFlight, IReadOnlyDictionary<(string Path, bool Push, int InFlight), Measurement> measured, string? torchVersion)
    {
        foreach (var path in new[] { Lanes, Grains })
        {
            foreach (var n in inFlight)
            {
                foreach (var push in new[] { true, false })
                {
                    var (direction, ours, raw) = (push ? "push" : "pull", measured[(path, push, n)], measured[(Raw, push, n)]);
                    var shape = $"4 MiB shards{(path == Grains ? " by grain calls" : " on lanes")}, {n} in flight";
                    figures.Add(new Figure($"transfer.{path}.{direction}.x{n}", Sections.Transfer, $"{direction} {shape}", "GB/s",
                        ours.GigabytesPerSecond, raw.GigabytesPerSecond, $"raw socket, {n} connections", path == Lanes ? Goal.RatioAtLeast(RawRatioGoal) : null));
                    figures.Add(new Figure($"transfer.{path}.{direction}.cpu.x{n}", Sections.Transfer, $"{direction} {shape}: CPU, client + silo", "CPU-s/GB",
                        ours.CpuSecondsPerGigabyte, raw.CpuSecondsPerGigabyte, "raw socket", path == Lanes && n == GoalInFlight ? Goal.ValueAtMost(CpuGoal) : null));
                }
            }
        }
        // Push's CPU less the silo's screen and update, which a raw copy does not do: what lanes and the commit cost
        // beyond raw sockets.
        var (screen, update) = (measured[ScreenKey], measured[UpdateKey]);
        figures.Add(new Figure("transfer.dataplane.push.screen.cpu", Sections.Transfer, "the silo's NaN/Inf screen of 4 MiB pushes alone, one thread", "CPU-s/GB",
            screen.CpuSecondsPerGigabyte, Note: $"{screen.GigabytesPerSecond:0.0} GB/s on one core"));
        figures.Add(new Figure("transfer.dataplane.push.update.cpu", Sections.Transfer, "the silo's SGD update of 4 MiB pushes alone, 8 shards in turn, one thread", "CPU-s/GB",
            update.CpuSecondsPerGigabyte, Note: $"{update.GigabytesPerSecond:0.0} GB/s on one core"));
        foreach (var n in inFlight)
        {
            var (push, raw) = (measured[(Lanes, true, n)], measured[(Raw, true, n)]);
            figures.Add(new Figure($"transfer.dataplane.push.cpu-less-update.x{n}", Sections.Transfer, $"push 4 MiB shards on lanes, {n} in flight: CPU less the silo's screen and update",
                "CPU-s/GB", push.CpuSecondsPerGigabyte - screen.CpuSecondsPerGigabyte - update.CpuSecondsPerGigabyte, raw.CpuSecondsPerGigabyte, "raw socket"));
        }
        foreach (var mode in new[] { TorchPeer.Tcp, TorchPeer.Default })
        {
            foreach (var n in inFlight)
            {
                foreach (var push in new[] { true, false })
                {
                    if (!measured.TryGetValue((TorchPeer.Path(mode), push, n), out var torch))
                        continue;
                    var direction = push ? "push" : "pull";
                    var goal = mode != TorchPeer.Tcp ? null : Goal.RatioAtLeast(n == GoalInFlight ? TorchRatioGoal : TorchRatioFloor);
                    figures.Add(new Figure($"pytorch.transfer.{mode}.{direction}.x{n}", Sections.PyTorch, $"{direction} 4 MiB shards on lanes, {n} in flight", "GB/s",
                        measured[(Lanes, push, n)].GigabytesPerSecond, torch.GigabytesPerSecond,
                        $"PyTorch {torchVersion} RPC, {(mode == TorchPeer.Tcp ? "TCP only" : "default transports")}", goal));
                }
            }
        }
    }

    /// <summary>
    /// Pushes and pulls through the client API. Worker w of n takes shards w, w + n, ... in turn, so no two transfers
    /// in flight touch one shard; every push is counted per shard for the final check.
    /// </summary>
    private static TransferPath ThroughServer(string name, int siloPid, ModelHandle model, float[] gradient, float[][] destinations, long[] pushes, int maxInFlight)
    {
        var turns = new int[maxInFlight];
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
}
