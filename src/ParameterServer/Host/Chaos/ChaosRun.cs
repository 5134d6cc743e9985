using System.Diagnostics;
using System.Net;
using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.DataPlane;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Host.Chaos;

/// <summary>How long a chaos run lasts and how hard it pushes: it stops at whichever bound comes first.</summary>
/// <param name="Seed">Seeds every random choice: the same seed sends the same requests.</param>
/// <param name="Requests">The most bad requests to send.</param>
/// <param name="Duration">The longest time to send them for.</param>
/// <param name="LaneTimeout">The silos' frame timeout (DataPlane:FrameTimeoutSeconds): a lane that stalls is closed within it.</param>
/// <param name="Parallelism">Senders running at once, each with its own random stream.</param>
internal sealed record ChaosOptions(int Seed, int Requests, TimeSpan Duration, TimeSpan LaneTimeout, int Parallelism = 4);

/// <summary>
/// A bounded run of hostile requests against a cluster (<see cref="BadRequests"/>, <see cref="BadFrames"/>): checksums
/// the whole parameter state, sends the requests from a few concurrent senders, checks that each was refused with
/// its expected <see cref="ErrorCode"/> or lane error, checksums again, checks that every data port gives its staging
/// memory back and that the cluster still serves a valid push and pull. Without data ports the lane kinds are not
/// sent. The client must refuse oversized requests before sending them (a client from
/// <see cref="ParameterServerClient.ConnectAsync"/> does).
/// </summary>
internal sealed class ChaosRun(ParameterServerClient client, ChaosOptions options)
{
    /// <summary>A grain call unanswered for this long counts as a failure (a hung grain), and the run goes on.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private const int KeptFailures = 20;

    private readonly ChaosTargets _targets = new(client.Grains, options.Seed, options.LaneTimeout);
    private readonly int[] _sent = new int[BadRequests.All.Length];
    private readonly int[] _refused = new int[BadRequests.All.Length];
    private readonly List<string> _failures = [];
    private int _budget = options.Requests;

    public async Task<ChaosReport> RunAsync(CancellationToken ct)
    {
        var asyncModel = await client.CreateModelAsync(ChaosTargets.AsyncModel, ct);
        var bspModel = await client.CreateModelAsync(ChaosTargets.BspModel, ct);
        await bspModel.JoinAsync(ChaosTargets.BspWorker, ct);
        var dataPorts = await DataPortsAsync();
        var before = await StateChecksum.ComputeAsync(client, ct);

        var clock = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.Duration);
        var draw = new KindDraw(dataPorts.Count > 0);
        await Task.WhenAll(Enumerable.Range(0, options.Parallelism).Select(i => SendAsync(new Random(unchecked(options.Seed * 7919 + i)), draw, deadline.Token)));
        var elapsed = clock.Elapsed;
        ct.ThrowIfCancellationRequested();

        var after = await StateChecksum.ComputeAsync(client, ct);
        await CheckStagingGivenBackAsync(dataPorts, ct);
        await CheckStillServesAsync(asyncModel, ct);
        var kinds = BadRequests.All.Select((b, k) => new KindTally(b.Kind, b.Expected, _sent[k], _refused[k])).ToArray();
        return new ChaosReport(options.Seed, elapsed, kinds, _failures, before, after, dataPorts.Count);
    }

    private async Task SendAsync(Random random, KindDraw draw, CancellationToken stop)
    {
        // A stalled lane takes up to the silo's frame timeout to be closed.
        var timeout = CallTimeout + options.LaneTimeout;
        while (!stop.IsCancellationRequested && Interlocked.Decrement(ref _budget) >= 0)
        {
            var k = draw.Next(random);
            var request = BadRequests.All[k];
            Interlocked.Increment(ref _sent[k]);
            string? failure;
            try
            {
                await request.Send(_targets, random).WaitAsync(timeout, CancellationToken.None);
                failure = "was accepted";
            }
            catch (Exception e) when (Refusal.Of(e) == request.Expected)
            {
                Interlocked.Increment(ref _refused[k]);
                failure = null;
            }
            catch (Exception e)
            {
                failure = Refusal.Of(e) is { } refusal ? $"was refused with {refusal}: {e.Message}" : $"failed with {e.GetType().Name}: {e.Message}";
            }
            if (failure is not null)
                Fail($"{request.Kind} (expected {request.Expected}) {failure}");
        }
    }

    private void Fail(string failure)
    {
        lock (_failures)
        {
            if (_failures.Count < KeptFailures)
                _failures.Add(failure);
        }
    }

    /// <summary>
    /// The data ports of the silos that host the chaos shards, each with a shard it hosts; none unless every shard's
    /// silo has one (then the lane kinds are not sent).
    /// </summary>
    private async Task<IReadOnlyList<(IPEndPoint Port, ShardSetup Shard)>> DataPortsAsync()
    {
        var ports = new Dictionary<IPEndPoint, ShardSetup>();
        foreach (var shard in ChaosTargets.AllShards())
        {
            if (await _targets.Grain(shard).GetDataEndpoint() is null)
                return [];
            ports.TryAdd(await _targets.DataPortAsync(shard), shard);
        }
        return ports.Select(p => (p.Key, p.Value)).ToArray();
    }

    /// <summary>
    /// Each data port admits a push of the largest shard again (<see cref="Limits.MaxShardBytes"/>): what the stalled,
    /// cut and refused frames held is back in staging. With a staging cap of that size (DataPlane:StagingMemoryMiB 32)
    /// it shows that staging holds nothing at all. A port still full is asked again until the lane deadline.
    /// </summary>
    private async Task CheckStagingGivenBackAsync(IReadOnlyList<(IPEndPoint Port, ShardSetup Shard)> dataPorts, CancellationToken ct)
    {
        if (dataPorts.Count == 0)
            return;
        var largest = new byte[Limits.MaxShardBytes];
        var random = new Random(options.Seed);
        foreach (var (port, shard) in dataPorts)
        {
            var waited = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    await BadFrames.UseUpAsync(_targets, shard, await BadFrames.StageAsync(_targets, random, shard, largest));
                    break;
                }
                catch (LaneException e) when (e.Code == LaneError.Busy && waited.Elapsed < _targets.LaneDeadline)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Fail($"data port {port} did not take a push of {largest.Length} bytes after the run: {e.Message}");
                    break;
                }
            }
        }
    }

    /// <summary>Draws kinds with probability proportional to their weights, among those that can be sent.</summary>
    private sealed class KindDraw
    {
        private readonly int[] _kinds;
        // Running sums of the weights: a uniform draw in [1, total] lands on kind i with probability weight_i / total.
        private readonly int[] _sums;

        public KindDraw(bool dataPorts)
        {
            _kinds = Enumerable.Range(0, BadRequests.All.Length).Where(k => dataPorts || !BadRequests.All[k].OnDataPort).ToArray();
            _sums = new int[_kinds.Length];
            var total = 0;
            for (var i = 0; i < _kinds.Length; i++)
                _sums[i] = total += BadRequests.All[_kinds[i]].Weight;
        }

        public int Next(Random random)
        {
            // The first running sum at or above the draw; weights are positive, so the sums are distinct.
            var i = Array.BinarySearch(_sums, random.Next(_sums[^1]) + 1);
            return _kinds[i < 0 ? ~i : i];
        }
    }

    /// <summary>A valid push moves a shard by exactly -lr * g: the server still applies updates after the run.</summary>
    private async Task CheckStillServesAsync(ModelHandle model, CancellationToken ct)
    {
        var table = ChaosTargets.AsyncModel.Tables[0];
        var before = new float[table.Elements];
        await model.PullAsync(table.Name, before, ct: ct);
        // lr * g = 0.5 * 0.25 = 0.125 is exact, so w - lr * g is one rounding however the server computes it.
        const float gradient = 0.25f;
        var push = new float[table.Elements];
        Array.Fill(push, gradient);
        await model.PushAsync(table.Name, push, ct: ct);
        var after = new float[table.Elements];
        await model.PullAsync(table.Name, after, ct: ct);
        for (var i = 0; i < after.Length; i++)
        {
            if (after[i] != before[i] - table.Optimizer.LearningRate * gradient)
            {
                _failures.Add($"after the run a valid push gave {after[i]} at {i}, expected {before[i]} - {table.Optimizer.LearningRate} * {gradient}");
                return;
            }
        }
    }
}
