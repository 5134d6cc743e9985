using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Kernels.Devices.Cpu;
using ParameterServer.Tests.Cluster;
using ParameterServer.Workers.Models;
using ParameterServer.Workers.Training;
using Xunit.Abstractions;

namespace ParameterServer.Workers.Tests.Training;

/// <summary>
/// The stall fraction measures time waiting on the parameter server: a fast worker paired with one that is slower by
/// a known delay per step waits about that delay per step under BSP, and hardly at all asynchronously.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class StallTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly int[] _widths = [784, 8, 10];
    private const int Batch = 10;
    private const int Steps = 10;
    private static readonly TimeSpan _delay = TimeSpan.FromMilliseconds(40);

    [Theory]
    [InlineData("bsp")]
    [InlineData("async")]
    public async Task A_fast_worker_waits_for_a_slow_peer_only_where_the_mode_says_so(string consistency)
    {
        var data = TrainingSets.Small(train: 2 * Batch * Steps, test: 10);
        var client = new ParameterServerClient(fixture.Cluster.Client);
        using var device = new CpuDevice(threads: 1);
        using var shape = new Mlp(device, _widths, Batch);
        var model = await client.CreateModelAsync(MlpModelSpec.Create($"stall-{Guid.NewGuid():N}", shape, OptimizerSpec.Sgd(0.01f), ConsistencySpec.Parse(consistency), seed: 1, partitions: 2));

        TrainingSummary fast, slow;
        await using (var w0 = new InProcessWorker(model, 0, 2, _widths, Batch))
        await using (var w1 = new InProcessWorker(model, 1, 2, _widths, Batch))
        {
            var summaries = await Task.WhenAll(w0.TrainAsync(data, Batch, epochs: 1), w1.TrainAsync(data, Batch, epochs: 1, new DelayedStore(w1.Pipeline, _delay)));
            (fast, slow) = (summaries[0], summaries[1]);
        }
        output.WriteLine($"{consistency}: fast worker waited {fast.Waited.TotalMilliseconds:F0} ms of {fast.StepTime.TotalMilliseconds:F0} ms (stall {fast.StallFraction:F3}); slow worker stall {slow.StallFraction:F3}");

        Assert.InRange(fast.StallFraction, 0, 1);
        Assert.InRange(slow.StallFraction, 0, 1);
        // The slow worker's delay is its own time, not a wait on the server.
        Assert.True(slow.StallFraction < 0.5, $"slow worker stall {slow.StallFraction}");
        var peerDelay = (Steps - 1) * _delay;
        if (consistency == "bsp")
        {
            // Before each step after the first, the fast worker waits for the slow one's push of the step before.
            Assert.True(fast.Waited >= 0.8 * peerDelay, $"fast worker waited {fast.Waited}, its peer was slower by {peerDelay} in all");
            Assert.True(fast.StallFraction > 0.5, $"fast worker stall {fast.StallFraction}");
        }
        else
        {
            Assert.True(fast.Waited < 0.5 * peerDelay, $"an asynchronous worker waited {fast.Waited} for a peer slower by {peerDelay} in all");
        }
    }

    [Fact]
    public async Task Training_without_a_server_never_stalls()
    {
        var data = TrainingSets.Small(train: 100, test: 10);
        using var device = new CpuDevice(threads: 1);
        using var mlp = new Mlp(device, _widths, Batch);
        var spec = MlpModelSpec.Create("local", mlp, OptimizerSpec.Sgd(0.01f), ConsistencySpec.Bsp, seed: 1);
        await using var store = new LocalParameterStore(spec, mlp.Parameters, device);

        var summary = await new Trainer(mlp, store, data.Train, null, data.Normalization, new TrainingOptions { BatchSize = Batch }, progress: null)
            .RunAsync(CancellationToken.None);

        Assert.Equal((100L, 0.0), (summary.Samples, summary.StallFraction));
    }
}
