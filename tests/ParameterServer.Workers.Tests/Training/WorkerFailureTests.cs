using System.Diagnostics;
using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Tests.Cluster;
using ParameterServer.Workers.Models;
using ParameterServer.Workers.Training;
using Xunit.Abstractions;

namespace ParameterServer.Workers.Tests.Training;

/// <summary>
/// Workers come and go while a job trains (DESIGN.md, "Fault tolerance"), through the two-silo TestCluster with a short
/// lease: a worker that goes silent mid-epoch loses its partition, and the evaluation if it was the evaluator, to the live
/// worker, whose clocks go on, and training completes; a worker the job dropped while it was only stalled joins again
/// and goes on from the job's clock; a worker that joins a running job takes a partition from one that holds two.
/// 2,000 training images in two partitions of 1,000, batch 50: 20 clocks per epoch, 80 in all.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class WorkerFailureTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly int[] _widths = [784, 32, 10];
    private const int Batch = 50;
    private const int Epochs = 4;
    private const int Partitions = 2;
    private const int Clocks = 2_000 / Partitions / Batch * Epochs;
    private static readonly TimeSpan _lease = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan _bound = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData("bsp")]
    [InlineData("ssp:1")]
    public async Task A_worker_silent_from_mid_epoch_2_loses_its_partition_and_the_evaluation_to_the_live_one_which_finishes_the_job(string consistency)
    {
        var mode = ConsistencySpec.Parse(consistency);
        var data = TrainingSets.Small(train: 2_000, test: 1_000);
        var model = await CreateAsync(mode);
        // The silent worker, worker-0 (the first id: the job's evaluator), reports clocks 1 .. 30 (step 10 of epoch 2)
        // in step with the live one, then nothing.
        const int silentAt = 30;
        await using var live = new InProcessWorker(model, 1, Partitions, _widths, Batch);
        var training = live.TrainAsync(data, Batch, Epochs);
        var silent = await ScriptedWorker.JoinAsync(model, "worker-0", silentAt);
        var handedOver = await WaitForAsync(model, s => s.Workers is [{ WorkerId: "worker-1", Partitions: [0, 1] }], training);
        var summary = await training.WaitAsync(_bound);

        output.WriteLine($"{consistency}: worker-0 silent after clock {silentAt} (its partition {silent.Partition}); handed over " +
            $"{handedOver.TotalSeconds:F1} s after its last report (lease {_lease.TotalSeconds} s); worker-1 trained {summary.Samples} samples, " +
            $"test accuracy {summary.Epochs[^1].TestAccuracy:F4}");
        // Its own partition at every clock, the silent one's from the clock after the handover was learned: that
        // partition's steps after clock 30 but at most s + 2 of them (its last step in flight, the clocks the two were
        // apart, and the clock that learned it) are skipped.
        var own = (long)Clocks * Batch;
        Assert.InRange(summary.Samples, own + (Clocks - silentAt - (mode.Staleness + 2)) * Batch, own + (Clocks - silentAt) * Batch);
        Assert.Equal(Epochs, summary.Epochs.Count);
        // Epoch 1 was worker-0's to evaluate; from epoch 2, which ends at clock 40, after the handover, worker-1's.
        Assert.Null(summary.Epochs[0].TestAccuracy);
        Assert.All(summary.Epochs.Skip(1), e => Assert.NotNull(e.TestAccuracy));
        Assert.True(summary.Epochs[^1].TestAccuracy > 0.6, $"test accuracy {summary.Epochs[^1].TestAccuracy}");
        Assert.Empty((await model.GetStatusAsync()).Workers);
    }

    [Theory]
    [InlineData("bsp")]
    [InlineData("ssp:1")]
    public async Task A_worker_whose_calls_to_the_job_stall_past_its_lease_joins_again_and_goes_on_from_the_jobs_clock(string consistency)
    {
        var mode = ConsistencySpec.Parse(consistency);
        var data = TrainingSets.Small(train: 2_000, test: 1_000);
        var model = await CreateAsync(mode);
        var stalling = new StallingGrains(fixture.Cluster.Client);
        await using var steady = new InProcessWorker(model, 0, Partitions, _widths, Batch);
        await using var paused = new InProcessWorker(await new ParameterServerClient(stalling).OpenModelAsync(model.Name), 1, Partitions, _widths, Batch);
        // 10 ms more per step keeps worker-0 from finishing the job alone before the test resumes worker-1.
        var steadyTraining = steady.TrainAsync(data, Batch, Epochs, new DelayedStore(steady.Pipeline, TimeSpan.FromMilliseconds(10)));
        var pausedTraining = paused.TrainAsync(data, Batch, Epochs);
        var both = Task.WhenAll(steadyTraining, pausedTraining);

        // worker-1 stalls in epoch 1 (clocks 1 .. 20): its heartbeats and clock reports stop, its lease runs out, and
        // worker-0 trains both partitions past the end of epoch 2 (clock 40) without it; then worker-1 goes on.
        await WaitForAsync(model, s => s.MinClock >= 10, both);
        stalling.Stall();
        var stalledAt = (await model.GetStatusAsync()).MaxClock;
        await WaitForAsync(model, s => s.Workers is [{ WorkerId: "worker-0", Partitions: [0, 1] }], both);
        var resumedAt = (await WaitForStatusAsync(model, s => s.MinClock >= 45, both)).MinClock;
        stalling.Resume();
        await WaitForAsync(model, s => s.Workers is [{ WorkerId: "worker-0", Partitions: [0] }, { WorkerId: "worker-1", Partitions: [1] }], pausedTraining);
        var summaries = await both.WaitAsync(_bound);

        var (steadySamples, pausedSamples) = (summaries[0].Samples, summaries[1].Samples);
        output.WriteLine($"{consistency}: worker-1 stalled at job clock {stalledAt}, resumed at {resumedAt}; it trained {pausedSamples} samples, " +
            $"worker-0 {steadySamples}; test accuracy {summaries[0].Epochs[^1].TestAccuracy:F4} and {summaries[1].Epochs[^1].TestAccuracy:F4}");
        Assert.Equal(1, paused.Pipeline.Rejoins);
        Assert.Equal(Clocks, paused.Pipeline.Clock);
        // worker-1 went on from the job's clock, in epoch 3: it reports no epoch the job ended without it.
        Assert.Equal([3, 4], summaries[1].Epochs.Select(e => e.Epoch));
        // Before the stall it trained its partition through the job's clock then plus at most its step in flight and s
        // clocks ahead; after it, partition 1 from after the job's clock when it rejoined (resumedAt or later) on.
        Assert.InRange(pausedSamples, 1, (stalledAt + mode.Staleness + 1 + Clocks - resumedAt) * Batch);
        // Every step of both partitions trained once, give or take the clocks around the two handovers (s + 2 each).
        Assert.InRange(steadySamples + pausedSamples, (2L * Clocks - 2 * (mode.Staleness + 2)) * Batch, (2L * Clocks + 2 * (mode.Staleness + 2)) * Batch);
        Assert.All(summaries, s => Assert.True(s.Epochs[^1].TestAccuracy > 0.6, $"test accuracy {s.Epochs[^1].TestAccuracy}"));
        Assert.Empty((await model.GetStatusAsync()).Workers);
    }

    [Theory]
    [InlineData("bsp")]
    [InlineData("ssp:1")]
    public async Task A_worker_that_joins_a_running_job_takes_a_partition_from_the_one_holding_both(string consistency)
    {
        var mode = ConsistencySpec.Parse(consistency);
        var data = TrainingSets.Small(train: 2_000, test: 1_000);
        var model = await CreateAsync(mode);
        // worker-0 starts alone and holds both partitions; worker-2 joins once the job is past clock 25.
        await using var first = new InProcessWorker(model, 0, Partitions, _widths, Batch, expectedWorkers: 1);
        await using var late = new InProcessWorker(model, 2, Partitions, _widths, Batch);
        var firstTraining = first.TrainAsync(data, Batch, Epochs);
        await WaitForAsync(model, s => s.MinClock >= 25, firstTraining);
        var lateTraining = late.TrainAsync(data, Batch, Epochs);
        await WaitForAsync(model, s => s.Workers is [{ WorkerId: "worker-0", Partitions: [0] }, { WorkerId: "worker-2", Partitions: [1] }], lateTraining);
        var summaries = await Task.WhenAll(firstTraining, lateTraining).WaitAsync(_bound);

        var (firstSamples, lateSamples) = (summaries[0].Samples, summaries[1].Samples);
        output.WriteLine($"{consistency}: worker-2 joined at clock {late.Pipeline.StartClock} and trained {lateSamples} samples, worker-0 {firstSamples}; " +
            $"test accuracy {summaries[0].Epochs[^1].TestAccuracy:F4}");
        // worker-2 trains partition 1 from about its start to the end; worker-0 trained both until then. Each of
        // partition 1's steps is trained once, give or take the clocks around the handover (at most s + 2).
        var joinedAt = late.Pipeline.StartClock;
        Assert.InRange(joinedAt, 25, Clocks - 1);
        Assert.InRange(lateSamples, (Clocks - joinedAt - (mode.Staleness + 2)) * Batch, (Clocks - joinedAt) * Batch);
        Assert.InRange(firstSamples + lateSamples, (2L * Clocks - (mode.Staleness + 2)) * Batch, (2L * Clocks + mode.Staleness + 2) * Batch);
        Assert.True(summaries[0].Epochs[^1].TestAccuracy > 0.6, $"test accuracy {summaries[0].Epochs[^1].TestAccuracy}");
    }

    private async Task<ModelHandle> CreateAsync(ConsistencySpec consistency)
    {
        var client = new ParameterServerClient(fixture.Cluster.Client);
        using var device = new Kernels.Devices.Cpu.CpuDevice(threads: 1);
        using var shape = new Mlp(device, _widths, Batch);
        var spec = MlpModelSpec.Create($"membership-{Guid.NewGuid():N}", shape, OptimizerSpec.Adam(0.003f), consistency, seed: 3, Partitions)
            with { WorkerLease = _lease };
        return await client.CreateModelAsync(spec);
    }

    /// <summary>Polls the job's status until <paramref name="condition"/> holds; returns how long that took. Fails if <paramref name="training"/> ends first.</summary>
    private static async Task<TimeSpan> WaitForAsync(ModelHandle model, Func<ModelStatus, bool> condition, Task training)
    {
        var clock = Stopwatch.StartNew();
        await WaitForStatusAsync(model, condition, training);
        return clock.Elapsed;
    }

    /// <summary>Polls the job's status until <paramref name="condition"/> holds and returns that status; fails if <paramref name="training"/> ends first.</summary>
    private static async Task<ModelStatus> WaitForStatusAsync(ModelHandle model, Func<ModelStatus, bool> condition, Task training)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await model.GetStatusAsync();
            if (condition(status))
                return status;
            if (training.IsCompleted)
            {
                await training;
                throw new InvalidOperationException("training ended before the job reached the awaited state");
            }
            Assert.True(clock.Elapsed < _bound, "the job did not reach the awaited state in time");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// A worker that takes part in the clock protocol without training (it pushes nothing), up to a clock, then goes
    /// silent without leaving, as a killed process does: no more reports, no heartbeats.
    /// </summary>
    private sealed class ScriptedWorker
    {
        public required int Partition { get; init; }

        public static async Task<ScriptedWorker> JoinAsync(ModelHandle model, string workerId, long silentAfter)
        {
            await model.JoinAsync(workerId);
            // Once the live worker has joined too, each holds one partition.
            var status = await WaitForTwo(model);
            var partition = status.Workers.Single(w => w.WorkerId == workerId).Partitions.Single();
            for (var c = 1L; c <= silentAfter; c++)
            {
                await model.WaitForClockAsync(c - 1, TimeSpan.FromSeconds(30));
                await model.ReportClockAsync(workerId, c);
            }
            return new ScriptedWorker { Partition = partition };
        }

        private static async Task<ModelStatus> WaitForTwo(ModelHandle model)
        {
            while (true)
            {
                var status = await model.GetStatusAsync();
                if (status.Workers.Count == 2)
                    return status;
                await Task.Delay(10);
            }
        }
    }
}
