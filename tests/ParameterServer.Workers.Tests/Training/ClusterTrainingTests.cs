using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Tests.Cluster;
using ParameterServer.Workers.Models;
using ParameterServer.Workers.Training;
using Xunit.Abstractions;

namespace ParameterServer.Workers.Tests.Training;

/// <summary>
/// Two in-process workers train one model through the two-silo TestCluster, under each consistency mode, on a small
/// set (<see cref="TrainingSets"/>: 2,000 training and 1,000 test images of Fashion-MNIST when installed).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTrainingTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly int[] _widths = [784, 32, 10];
    private const int Batch = 50;
    private const int Epochs = 5;

    [Theory]
    [InlineData("bsp")]
    [InlineData("ssp:1")]
    [InlineData("async")]
    public async Task Two_workers_reach_an_accuracy_far_above_chance_and_their_cache_ends_equal_to_the_server(string consistency)
    {
        var data = TrainingSets.Small(train: 2_000, test: 1_000);
        output.WriteLine(data.Source);
        var mode = ConsistencySpec.Parse(consistency);
        var (model, workers) = await StartAsync(mode, OptimizerSpec.Adam(0.003f));
        try
        {
            var summaries = await Task.WhenAll(workers.Select(w => w.TrainAsync(data, Batch, Epochs)));

            // Chance is 1/10; 100 steps of a small MLP on 2,000 images reach about 0.8.
            var accuracy = summaries[0].Epochs[^1].TestAccuracy!.Value;
            output.WriteLine($"{consistency}: test accuracy {accuracy:F4}, stall {summaries[0].StallFraction:F3} and {summaries[1].StallFraction:F3}");
            Assert.True(accuracy > 0.6, $"test accuracy {accuracy} after {Epochs} epochs under {consistency}");
            Assert.True(summaries[0].Epochs[^1].TrainLoss < summaries[0].Epochs[0].TrainLoss);

            // Worker 0's last evaluation pulled after every worker's last clock: its cache is the server's final state.
            foreach (var table in model.Spec.Tables)
            {
                var server = new float[table.Elements];
                await model.PullAsync(table.Name, server);
                Assert.Equal(server, workers[0].DeviceValues(table.Name));
            }

            // 20 steps per epoch and worker: BSP applies one update per clock, SSP and async one per push.
            var steps = 2_000 / 2 / Batch * Epochs;
            var status = await model.GetTableStatusAsync("fc1.weight");
            Assert.All(status.Shards, s => Assert.Equal(mode.Mode == ConsistencyMode.Bsp ? steps : 2 * steps, s.Info.Version));
            Assert.Empty((await model.GetStatusAsync()).Workers);
        }
        finally
        {
            foreach (var worker in workers) await worker.DisposeAsync();
        }
    }

    private async Task<(ModelHandle Model, InProcessWorker[] Workers)> StartAsync(ConsistencySpec consistency, OptimizerSpec optimizer)
    {
        var client = new ParameterServerClient(fixture.Cluster.Client);
        using var device = new Kernels.Devices.Cpu.CpuDevice(threads: 1);
        using var shape = new Mlp(device, _widths, Batch);
        var model = await client.CreateModelAsync(MlpModelSpec.Create($"train-{Guid.NewGuid():N}", shape, optimizer, consistency, seed: 3, partitions: 2));
        return (model, [new InProcessWorker(model, 0, 2, _widths, Batch), new InProcessWorker(model, 1, 2, _widths, Batch)]);
    }
}
