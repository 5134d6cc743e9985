using System.Diagnostics;
using ParameterServer.Client;
using ParameterServer.Contracts;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Host.Chaos;

/// <summary>How long a chaos run lasts and how hard it pushes: it stops at whichever bound comes first.</summary>
/// <param name="Seed">Seeds every random choice: the same seed sends the same requests.</param>
/// <param name="Requests">The most bad requests to send.</param>
/// <param name="Duration">The longest time to send them for.</param>
/// <param name="Parallelism">Senders running at once, each with its own random stream.</param>
internal sealed record ChaosOptions(int Seed, int Requests, TimeSpan Duration, int Parallelism = 4);

/// <summary>
/// A bounded run of hostile requests against a cluster (<see cref="BadRequests"/>): checksums the whole parameter
/// state, sends the requests from a few concurrent senders, checks that each was refused with its expected
/// <see cref="ErrorCode"/>, checksums again, and checks that the cluster still serves a valid push and pull.
/// The client must refuse oversized requests before sending them (a client from
/// <see cref="ParameterServerClient.ConnectAsync"/> does).
/// </summary>
internal sealed class ChaosRun(ParameterServerClient client, ChaosOptions options)
{
    /// <summary>A request unanswered for this long counts as a failure (a hung grain), and the run goes on.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private const int KeptFailures = 20;

    private readonly ChaosTargets _targets = new(client.Grains, options.Seed);
    private readonly int[] _sent = new int[BadRequests.All.Length];
    private readonly int[] _refused = new int[BadRequests.All.Length];
    private readonly List<string> _failures = [];
    private int _budget = options.Requests;

    public async Task<ChaosReport> RunAsync(CancellationToken ct)
    {
        var asyncModel = await client.CreateModelAsync(ChaosTargets.AsyncModel, ct);
        await client.CreateModelAsync(ChaosTargets.BspModel, ct);
        var before = await StateChecksum.ComputeAsync(client, ct);

        var clock = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.Duration);
        var weights = CumulativeWeights();
        await Task.WhenAll(Enumerable.Range(0, options.Parallelism).Select(i => SendAsync(new Random(unchecked(options.Seed * 7919 + i)), weights, deadline.Token)));
        var elapsed = clock.Elapsed;
        ct.ThrowIfCancellationRequested();

        var after = await StateChecksum.ComputeAsync(client, ct);
        await CheckStillServesAsync(asyncModel, ct);
        var kinds = BadRequests.All.Select((b, k) => new KindTally(b.Kind, b.Expected, _sent[k], _refused[k])).ToArray();
        return new ChaosReport(options.Seed, elapsed, kinds, _failures, before, after);
    }

    private async Task SendAsync(Random random, int[] weights, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && Interlocked.Decrement(ref _budget) >= 0)
        {
            var k = Array.BinarySearch(weights, random.Next(weights[^1]) + 1);
            if (k < 0) k = ~k;
            var request = BadRequests.All[k];
            Interlocked.Increment(ref _sent[k]);
            string? failure;
            try
            {
                await request.Send(_targets, random).WaitAsync(CallTimeout, CancellationToken.None);
                failure = "was accepted";
            }
            catch (ParameterServerException e) when (e.Code == request.Expected)
            {
                Interlocked.Increment(ref _refused[k]);
                failure = null;
            }
            catch (ParameterServerException e)
            {
                failure = $"was refused with {e.Code}: {e.Message}";
            }
            catch (Exception e)
            {
                failure = $"failed with {e.GetType().Name}: {e.Message}";
            }
            if (failure is not null)
            {
                lock (_failures)
                {
                    if (_failures.Count < KeptFailures)
                        _failures.Add($"{request.Kind} (expected {request.Expected}) {failure}");
                }
            }
        }
    }

    // Running sums of the weights: a uniform draw in [1, total] lands on kind k with probability weight_k / total.
    private static int[] CumulativeWeights()
    {
        var sums = new int[BadRequests.All.Length];
        var total = 0;
        for (var k = 0; k < sums.Length; k++)
            sums[k] = total += BadRequests.All[k].Weight;
        return sums;
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
