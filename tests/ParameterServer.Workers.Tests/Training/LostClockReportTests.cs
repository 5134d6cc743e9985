using System.Diagnostics;
using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Kernels.Devices.Cpu;
using ParameterServer.Tests.Cluster;
using ParameterServer.Workers.Models;
using ParameterServer.Workers.Training;

namespace ParameterServer.Workers.Tests.Training;

/// <summary>
/// A job can lose a worker's latest clock report: its silo dies and it comes back from its last saved progress. A
/// worker waiting for that clock then reports it again, so the job does not hold every worker forever.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LostClockReportTests(ClusterFixture fixture)
{
    private static readonly int[] _widths = [784, 16, 10];
    private const int Batch = 8;

    [Fact]
    public async Task Workers_go_on_when_the_job_lost_the_clock_report_they_wait_on()
    {
        // 64 images over 2 workers: 4 steps of 8 each, one epoch.
        var data = TrainingSets.Small(train: 64, test: 10);
        var client = new ParameterServerClient(fixture.Cluster.Client);
        ModelHandle model;
        using (var device = new CpuDevice(threads: 1))
        using (var mlp = new Mlp(device, _widths, Batch))
            model = await client.CreateModelAsync(MlpModelSpec.Create($"lost-report-{Guid.NewGuid():N}", mlp, OptimizerSpec.Sgd(0.1f), ConsistencySpec.Bsp, seed: 3, partitions: 2));
        await using var fast = new InProcessWorker(model, 0, 2, _widths, Batch);
        await using var slow = new InProcessWorker(model, 1, 2, _widths, Batch);
        var training = Task.WhenAll(fast.TrainAsync(data, Batch, epochs: 1), slow.TrainAsync(data, Batch, epochs: 1, new DelayedStore(slow.Pipeline, TimeSpan.FromSeconds(2))));

        // Worker 0 has reported clock 2 and waits for worker 1, which pushes its step 2 two seconds after computing it.
        var waiting = Stopwatch.StartNew();
        while (Clocks(await model.GetStatusAsync()) != (2, 1))
        {
            Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(30), "worker 0 never waited at clock 2 for worker 1");
            await Task.Delay(20);
        }
        // The job forgets that report, as one restored from an older save does: worker 0 is back at clock 1.
        await model.LeaveAsync("worker-0");
        await model.JoinAsync("worker-0");
        var forgotten = Clocks(await model.GetStatusAsync());
        await training.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, forgotten.Fast);
        // Every clock applied once: 4 steps.
        foreach (var table in model.Spec.Tables)
            Assert.All((await model.GetTableStatusAsync(table.Name)).Shards, s => Assert.Equal(4, s.Info.Version));
    }

    private static (long Fast, long Slow) Clocks(ModelStatus status) =>
        status.Workers.Count == 2 ? (status.Workers[0].Clock, status.Workers[1].Clock) : (-1, -1);
}
