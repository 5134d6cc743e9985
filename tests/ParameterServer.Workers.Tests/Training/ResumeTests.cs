using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Kernels.Devices.Cpu;
using ParameterServer.Tests.Cluster;
using ParameterServer.Workers.Models;
using ParameterServer.Workers.Training;

namespace ParameterServer.Workers.Tests.Training;

/// <summary>
/// A worker that joins a job at clock c (its cluster restarted, or the worker did) trains from step c + 1 on, with the
/// batches an uninterrupted run has there: stopped mid-epoch and started again, it ends exactly where a worker that
/// never stopped ends.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ResumeTests(ClusterFixture fixture)
{
    private static readonly int[] _widths = [784, 16, 10];
    private const int Batch = 8;
    private const int Epochs = 2;

    [Fact]
    public async Task A_worker_stopped_mid_epoch_and_started_again_ends_where_an_uninterrupted_worker_ends()
    {
        // 64 images, one worker: 8 steps per epoch, 16 clocks in all. Stopped after 11: epoch 1 and 3 steps of epoch 2.
        var data = TrainingSets.Small(train: 64, test: 10);
        var client = new ParameterServerClient(fixture.Cluster.Client);
        var uninterrupted = await CreateAsync(client, "resume-reference");
        var resumed = await CreateAsync(client, "resume");

        await using (var worker = new InProcessWorker(uninterrupted, 0, 1, _widths, Batch))
            await worker.TrainAsync(data, Batch, Epochs);
        await using (var worker = new InProcessWorker(resumed, 0, 1, _widths, Batch))
            await Assert.ThrowsAsync<OperationCanceledException>(() => worker.TrainAsync(data, Batch, Epochs, new StoppingStore(worker.Pipeline, clocks: 11)));
        TrainingSummary summary;
        long startClock;
        await using (var worker = new InProcessWorker(resumed, 0, 1, _widths, Batch))
        {
            summary = await worker.TrainAsync(data, Batch, Epochs);
            startClock = worker.Pipeline.StartClock;
        }

        Assert.Equal(11, startClock);
        // Steps 4..8 of epoch 2: 5 batches of 8.
        Assert.Equal([2], summary.Epochs.Select(e => e.Epoch));
        Assert.Equal(5 * Batch, summary.Samples);
        foreach (var table in resumed.Spec.Tables)
        {
            Assert.Equal(await ValuesAsync(uninterrupted, table), await ValuesAsync(resumed, table));
            Assert.All((await resumed.GetTableStatusAsync(table.Name)).Shards, s => Assert.Equal(16, s.Info.Version));
        }
    }

    private static async Task<ModelHandle> CreateAsync(ParameterServerClient client, string name)
    {
        using var device = new CpuDevice(threads: 1);
        using var mlp = new Mlp(device, _widths, Batch);
        return await client.CreateModelAsync(MlpModelSpec.Create($"{name}-{Guid.NewGuid():N}", mlp, OptimizerSpec.Adam(0.01f), ConsistencySpec.Bsp, seed: 3));
    }

    private static async Task<float[]> ValuesAsync(ModelHandle model, TableSpec table)
    {
        var values = new float[table.Elements];
        await model.PullAsync(table.Name, values);
        return values;
    }
}
