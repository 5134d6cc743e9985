using System.Diagnostics;
using System.Runtime.InteropServices;
using ParameterServer.Benchmarks.Processes;
using ParameterServer.Benchmarks.Report;
using ParameterServer.Client;
using ParameterServer.Contracts;

namespace ParameterServer.Benchmarks.Transfer;

/// <summary>
/// <c>transfer [--quick] [--in-flight 1,2,4,8] [--seconds S] [--with-torch] [--torch-modes default,tcp]</c>: issue 4's speed test and issue 6's items 1 and 7b. This process pushes and
/// pulls 4 MiB shards of a table held by a real <c>paramserver silo</c> process, with 1, 2, 4 and 8 in flight, on the
/// data plane's lanes (one lane per transfer in flight) and in plain grain calls; in the same run, a raw .NET socket
/// copy of the same bytes to a peer process with as many connections, and with <c>--with-torch</c> a PyTorch RPC
/// parameter server (Peers/torch_rpc_ps.py) with its default transports and over TCP only, with 1 and 4 in flight.
/// Rounds alternate the paths so that the machine's noise hits them alike;
/// each figure is the median round. CPU-seconds per GB count both processes (/proc/PID/stat). The silo applies SGD
/// (lr 2^-10) to every push, and at the end every shard is checked against the closed form, so a figure is only
/// reported for updates that really happened. Both child processes are stopped by PID, also on failure.
/// </summary>
public static class TransferBenchmark
{
    private const int ShardRows = 256;
    private const int Cols = 4096;
    private const int ShardFloats = ShardRows * Cols; // 4 MiB of float32
    private const int ShardBytes = ShardFloats * sizeof(float);
    private const int Shards = 8;
    private const float LearningRate = 1f / 1024;
    private const string Table = "w";

    private static readonly int[] TorchInFlight = [1, 4];

    public static async Task<int> RunAsync(string[] args, FigureSink figures)
    {
        var quick = Options.Flag(args, "--quick");
        var withTorch = Options.Flag(args, "--with-torch");
        var torchModes = Options.Text(args, "--torch-modes", $"{TorchPeer.Default},{TorchPeer.Tcp}");
        var inFlight = Options.IntList(args, "--in-flight", [1, 2, 4, 8]);
        var duration = TimeSpan.FromSeconds(Options.Double(args, "--seconds", quick ? 1 : 2));
        var rounds = quick ? 1 : 3;
        var warmUp = TimeSpan.FromMilliseconds(quick ? 300 : 800);

        // g_i = (i mod 17) - 8: integers, so w = -lr * pushes * g stays exact in float32 for any count reached here.
        var gradient = new float[ShardFloats];
        for (var i = 0; i < gradient.Length; i++)
            gradient[i] = i % 17 - 8;
        var pushes = new long[Shards];
        var destinations = Enumerable.Range(0, inFlight.Max()).Select(_ => new float[ShardFloats]).ToArray();
        var rawDestinations = Enumerable.Range(0, inFlight.Max()).Select(_ => new byte[ShardBytes]).ToArray();
        var gradientBytes = MemoryMarshal.AsBytes(gradient.AsSpan()).ToArray();

        Console.WriteLine($"transfer: {Shards} shards of {ShardBytes >> 20} MiB, this process and a silo process on loopback, " +
            $"{Environment.ProcessorCount} cores; {rounds} round(s) of {duration.TotalSeconds:0.#} s per figure, median");
        var results = new Dictionary<(string Path, bool Push, int InFlight), List<Measurement>>();
        bool verified;
        {
            // A block of its own: the silo and the raw peer are gone before PyTorch runs, which then has the cores to itself.
            await using var silo = await SiloProcess.StartAsync();
            await using var raw = await RawPeer.StartAsync(ShardBytes, inFlight.Max());
            await using var lanes = await ParameterServerClient.ConnectAsync(silo.Connection(new DataPlaneOptions { LanesPerSilo = inFlight.Max() }));
            await using var grains = await ParameterServerClient.ConnectAsync(silo.Connection(DataPlaneOptions.Off));
            var spec = new ModelSpec
            {
                Name = "transfer",
                Tables = [new TableSpec { Name = Table, Rows = Shards * ShardRows, Cols = Cols, ShardRows = ShardRows, Initializer = InitializerSpec.Constant(0), Optimizer = OptimizerSpec.Sgd(LearningRate) }],
            };
            var onLanes = await lanes.CreateModelAsync(spec);
            var onGrains = await grains.OpenModelAsync(spec.Name);

            TransferPath[] paths =
            [
                new("raw", raw.Pid,
                    (w, _) => raw.PushAsync(w, gradientBytes),
                    (w, _) => raw.PullAsync(w, rawDestinations[w])),
                ThroughServer("lanes", silo.Pid, onLanes, gradient, destinations, pushes, inFlight.Max()),
                ThroughServer("grains", silo.Pid, onGrains, gradient, destinations, pushes, inFlight.Max()),
            ];
            foreach (var path in paths)
            {
                await MeasureAsync(inFlight.Max(), warmUp, path.ServerPid, path.Push);
                await MeasureAsync(inFlight.Max(), warmUp, path.ServerPid, path.Pull);
            }
            for (var round = 0; round < rounds; round++)
            {
                foreach (var n in inFlight)
                {
                    foreach (var push in new[] { true, false })
                    {
                        foreach (var path in paths)
                        {
                            var measured = await MeasureAsync(n, duration, path.ServerPid, push ? path.Push : path.Pull);
                            (results.TryGetValue((path.Name, push, n), out var list) ? list : results[(path.Name, push, n)] = []).Add(measured);
                        }
                    }
                }
                Console.WriteLine($"  round {round + 1} of {rounds} done");
            }
            verified = await VerifyAsync(onLanes, gradient, pushes);
            await silo.StopAsync();
        }

        // PyTorch at the counts issue 6 names (1 and 4 in flight) that this run measured too.
        var torchInFlight = TorchInFlight.Intersect(inFlight).ToArray();
        var torch = withTorch && torchInFlight.Length > 0 ? await TorchPeer.MeasureAsync(duration, torchInFlight, torchModes) : null;
        var report = new TransferReport(ShardBytes, inFlight, results.ToDictionary(r => r.Key, r => Measurement.Median(r.Value)), torch, verified);
        report.Print(Console.Out);
        report.AddFigures(figures);
        return verified ? 0 : 1;
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
        return true;
    }
}
