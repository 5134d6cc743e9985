using Orleans.Core.Internal;
using ParameterServer.Contracts;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Cluster;

/// <summary>
/// The job owns its data partitions: it hands them out as workers join, moves them when a worker leaves or its lease
/// runs out (BSP and SSP stop waiting for that worker at the same moment), keeps them across a reactivation, and tells
/// each worker its partitions, and whether it evaluates, with every join, heartbeat and clock report.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class JobPartitionsTests(ClusterFixture fixture)
{
    private static readonly TableSpec Table = new() { Name = "w", Rows = 2, Cols = 2 };
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Joining_workers_share_the_partitions_and_learn_them_with_every_reply()
    {
        var job = await Job(ConsistencySpec.Bsp, partitions: 2, TimeSpan.FromSeconds(30));

        // The first takes both; the second takes the first's highest.
        var first = await job.Join("w0");
        Assert.Equal([0, 1], Indices(first.Assignment));
        var joined = await job.Join("w1");
        Assert.Equal([1], Indices(joined.Assignment));
        Assert.Equal(2, joined.Assignment.Partitions);

        var heartbeat = await job.Heartbeat("w0");
        Assert.Equal([0], Indices(heartbeat));
        Assert.Equal(joined.Assignment.Version, heartbeat.Version);
        var reported = await job.ReportClock("w0", 1);
        Assert.Equal([0], Indices(reported));
        var status = await job.GetStatus();
        Assert.Equal([("w0", 0), ("w1", 1)], status.Workers.Select(w => (w.WorkerId, w.Partitions.Single())));
        Assert.Empty(status.UnassignedPartitions);
    }

    [Theory]
    [InlineData("bsp")]
    [InlineData("ssp:1")]
    public async Task An_expired_worker_stops_holding_back_the_clock_and_its_partition_goes_to_the_live_one(string consistency)
    {
        var lease = TimeSpan.FromSeconds(2);
        var mode = ConsistencySpec.Parse(consistency);
        var job = await Job(mode, partitions: 2, lease);
        await job.Join("live");
        await job.Join("silent");
        await job.ReportClock("silent", 2);
        await job.ReportClock("live", 2);
        await job.ReportClock("live", 3);
        await job.ReportClock("live", 4);

        // live finished clock 4 and needs everyone at 4 - s: silent, at 2, holds it back until its lease runs out.
        var required = mode.Mode == ConsistencyMode.Bsp ? 4 : 4 - mode.Staleness;
        var wait = job.WaitForMinClock(required, Long);
        await Task.WhenAny(wait, Task.Delay(TimeSpan.FromMilliseconds(300)));
        Assert.False(wait.IsCompleted);
        var assignment = await KeepAliveUntil(job, "live", wait, lease);

        Assert.Equal(4, await wait);
        // silent trained partition 1 through its last clock, 2: live trains it from clock 3 on.
        Assert.Equal([new HeldPartition { Index = 0 }, new HeldPartition { Index = 1, TrainedThrough = 2 }], assignment.Held);
        var status = await job.GetStatus();
        Assert.Equal([("live", 4L, 2)], status.Workers.Select(w => (w.WorkerId, w.Clock, w.Partitions.Count)));
        Assert.Equal(ErrorCode.UnknownWorker, (await Assert.ThrowsAsync<ParameterServerException>(() => job.ReportClock("silent", 3))).Code);
    }

    [Fact]
    public async Task The_first_live_worker_evaluates_and_when_its_lease_runs_out_the_next_takes_over_until_it_rejoins()
    {
        var lease = TimeSpan.FromSeconds(2);
        var job = await Job(ConsistencySpec.Bsp, partitions: 2, lease);
        await job.Join("worker-0");
        var joined = await job.Join("worker-1");
        Assert.False(joined.Assignment.Evaluates);
        Assert.True((await job.Heartbeat("worker-0")).Evaluates);

        // worker-0 goes silent at clock 0; worker-1 waits for clock 1 until worker-0's lease runs out.
        await job.ReportClock("worker-1", 1);
        var wait = job.WaitForMinClock(1, Long);
        var assignment = await KeepAliveUntil(job, "worker-1", wait, lease);

        Assert.Equal(1, await wait);
        Assert.True(assignment.Evaluates);
        Assert.Equal([0, 1], Indices(assignment));
        await job.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        Assert.Equal(assignment.Version, (await job.Heartbeat("worker-1")).Version);
        Assert.True((await job.Heartbeat("worker-1")).Evaluates);

        // worker-0 was only paused: its next report is refused, it joins again at the job's clock, takes worker-1's
        // highest partition (1), trained through worker-1's clock, and, first in order, evaluates again.
        Assert.Equal(ErrorCode.UnknownWorker, (await Assert.ThrowsAsync<ParameterServerException>(() => job.Heartbeat("worker-0"))).Code);
        var back = await job.Join("worker-0");
        Assert.Equal(1, back.Clock);
        Assert.Equal([new HeldPartition { Index = 1, TrainedThrough = 1 }], back.Assignment.Held);
        Assert.True(back.Assignment.Evaluates);
        var other = await job.Heartbeat("worker-1");
        Assert.Equal((false, 0), (other.Evaluates, Indices(other).Single()));
    }

    [Fact]
    public async Task Partitions_of_a_job_nobody_is_left_in_wait_for_the_next_worker_with_their_progress()
    {
        var job = await Job(ConsistencySpec.Ssp(1), partitions: 2, TimeSpan.FromSeconds(30));
        await job.Join("a");
        await job.Join("b");
        await job.ReportClock("a", 3);
        await job.ReportClock("b", 2);
        await job.Leave("a");
        await job.Leave("b");

        Assert.Equal([0, 1], (await job.GetStatus()).UnassignedPartitions);
        var late = await job.Join("late");

        // a left at clock 3 (partition 0 went to b, trained through 3), b at 2: through max(3, 2) = 3 and 2.
        Assert.Equal([new HeldPartition { Index = 0, TrainedThrough = 3 }, new HeldPartition { Index = 1, TrainedThrough = 2 }], late.Assignment.Held);
        Assert.Empty((await job.GetStatus()).UnassignedPartitions);
    }

    [Fact]
    public async Task A_reactivated_job_keeps_who_holds_which_partition()
    {
        var job = await Job(ConsistencySpec.Bsp, partitions: 3, TimeSpan.FromSeconds(30));
        await job.Join("a");
        await job.Join("b");
        await job.Leave("b");
        var before = await job.Heartbeat("a");

        await job.AsReference<IGrainManagementExtension>().DeactivateOnIdle();

        var after = await job.Heartbeat("a");
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.Held, after.Held);
        Assert.Equal([0, 1, 2], Indices(after));
    }

    [Fact]
    public async Task A_job_without_partitions_assigns_none_and_a_bad_count_is_refused()
    {
        var job = await Job(ConsistencySpec.Async, partitions: 0, TimeSpan.FromSeconds(30));

        Assert.Equal(WorkerAssignment.None, (await job.Join("w")).Assignment);
        Assert.Empty((await job.GetStatus()).Workers.Single().Partitions);
        foreach (var partitions in new[] { -1, Limits.MaxPartitions + 1 })
        {
            var spec = new ModelSpec { Name = Tables.UniqueName("bad-partitions"), Tables = [Table], Partitions = partitions };
            var error = await Assert.ThrowsAsync<ParameterServerException>(() => fixture.Grains.GetGrain<IModelGrain>(spec.Name).Create(spec));
            Assert.Equal(ErrorCode.InvalidSpec, error.Code);
        }
        var spec2 = (await job.GetSpec()) with { Partitions = 2 };
        Assert.Equal(ErrorCode.SpecMismatch, (await Assert.ThrowsAsync<ParameterServerException>(() => job.Create(spec2))).Code);
    }

    private async Task<IModelGrain> Job(ConsistencySpec consistency, int partitions, TimeSpan lease)
    {
        var spec = new ModelSpec { Name = Tables.UniqueName("partitions"), Tables = [Table], Consistency = consistency, Partitions = partitions, WorkerLease = lease };
        var job = fixture.Grains.GetGrain<IModelGrain>(spec.Name);
        await job.Create(spec);
        return job;
    }

    /// <summary>Heartbeats <paramref name="worker"/> until <paramref name="done"/> completes (bounded); returns its last assignment.</summary>
    private static async Task<WorkerAssignment> KeepAliveUntil(IModelGrain job, string worker, Task done, TimeSpan lease)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!done.IsCompleted && DateTime.UtcNow < deadline)
        {
            await job.Heartbeat(worker);
            await Task.WhenAny(done, Task.Delay(lease / 5));
        }
        return await job.Heartbeat(worker);
    }

    private static int[] Indices(WorkerAssignment assignment) => [.. assignment.Held.Select(p => p.Index)];
}
