using ParameterServer.Contracts;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Cluster;

/// <summary>
/// SSP with staleness s: a worker that finished clock c waits until every live worker has reported c - s.
/// A worker that leaves, or whose lease runs out, stops holding the others back.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SspGatingTests(ClusterFixture fixture)
{
    private const int Staleness = 2;
    private static readonly TimeSpan Pending = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    private static readonly TableSpec Table = new() { Name = "w", Rows = 2, Cols = 2 };

    [Fact]
    public async Task Worker_within_staleness_does_not_wait()
    {
        var model = await JobWithWorkers(TimeSpan.FromSeconds(30));
        await ReportUpTo(model, "fast", 2);

        // fast finished clock 2 and needs everyone at 2 - s = 0: slow is at 0.
        Assert.Equal(0, await model.WaitForMinClock(2 - Staleness, Long));
    }

    [Fact]
    public async Task Worker_more_than_staleness_ahead_waits_for_the_slow_one()
    {
        var model = await JobWithWorkers(TimeSpan.FromSeconds(30));
        await ReportUpTo(model, "fast", 3);

        // fast finished clock 3 and needs everyone at 3 - s = 1: slow is at 0.
        var wait = model.WaitForMinClock(3 - Staleness, Long);
        await Task.WhenAny(wait, Task.Delay(Pending));
        Assert.False(wait.IsCompleted);

        await model.ReportClock("slow", 1);
        Assert.Equal(1, await wait);
    }

    [Fact]
    public async Task Waiting_does_not_block_other_calls()
    {
        var model = await JobWithWorkers(TimeSpan.FromSeconds(30));
        await ReportUpTo(model, "fast", 3);
        var wait = model.WaitForMinClock(1, Long);

        var status = await model.GetStatus().WaitAsync(TimeSpan.FromSeconds(5));
        await model.Heartbeat("slow").WaitAsync(TimeSpan.FromSeconds(5));

        Assert.False(wait.IsCompleted);
        Assert.Equal((0, 3, 3), (status.MinClock, status.MaxClock, status.Staleness));
        Assert.Equal(["fast", "slow"], status.Workers.Select(w => w.WorkerId));
        await model.ReportClock("slow", 1);
        await wait;
    }

    [Fact]
    public async Task Removing_the_slow_worker_releases_the_waiter()
    {
        var model = await JobWithWorkers(TimeSpan.FromSeconds(30));
        await ReportUpTo(model, "fast", 3);
        var wait = model.WaitForMinClock(1, Long);
        await Task.WhenAny(wait, Task.Delay(Pending));
        Assert.False(wait.IsCompleted);

        await model.Leave("slow");

        Assert.Equal(3, await wait.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Expired_lease_of_the_slow_worker_releases_the_waiter()
    {
        var lease = TimeSpan.FromSeconds(1);
        var model = await JobWithWorkers(lease);
        await ReportUpTo(model, "fast", 3);
        var wait = model.WaitForMinClock(1, Long);

        // fast keeps its lease; slow goes silent.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!wait.IsCompleted && DateTime.UtcNow < deadline)
        {
            await model.Heartbeat("fast");
            await Task.WhenAny(wait, Task.Delay(lease / 5));
        }

        Assert.Equal(3, await wait.WaitAsync(TimeSpan.FromSeconds(1)));
        Assert.Equal(["fast"], (await model.GetStatus()).Workers.Select(w => w.WorkerId));
        var error = await Assert.ThrowsAsync<ParameterServerException>(() => model.ReportClock("slow", 1));
        Assert.Equal(ErrorCode.UnknownWorker, error.Code);
    }

    [Fact]
    public async Task Wait_that_times_out_returns_the_minimum_clock_so_far()
    {
        var model = await JobWithWorkers(TimeSpan.FromSeconds(30));

        Assert.Equal(0, await model.WaitForMinClock(5, TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task Nobody_waits_when_no_worker_is_live()
    {
        var spec = await fixture.Grains.CreateModel("empty", ConsistencySpec.Ssp(Staleness), Table);

        Assert.Equal(0, await fixture.Grains.GetGrain<IModelGrain>(spec.Name).WaitForMinClock(7, Long));
    }

    [Fact]
    public async Task Clocks_never_go_back_and_unknown_workers_are_refused()
    {
        var model = await JobWithWorkers(TimeSpan.FromSeconds(30));
        await model.ReportClock("slow", 4);
        await model.ReportClock("slow", 2);

        Assert.Equal(4, (await model.GetStatus()).Workers.Single(w => w.WorkerId == "slow").Clock);
        Assert.Equal(ErrorCode.UnknownWorker, (await Assert.ThrowsAsync<ParameterServerException>(() => model.ReportClock("ghost", 1))).Code);
        Assert.Equal(ErrorCode.UnknownWorker, (await Assert.ThrowsAsync<ParameterServerException>(() => model.Heartbeat("ghost"))).Code);
    }

    [Fact]
    public async Task Late_joiner_starts_at_the_minimum_clock()
    {
        var model = await JobWithWorkers(TimeSpan.FromSeconds(30));
        await ReportUpTo(model, "fast", 3);
        await model.ReportClock("slow", 2);

        var reply = await model.Join("late");

        Assert.Equal(2, reply.Clock);
        Assert.Equal(2, (await model.GetStatus()).MinClock);
    }

    private async Task<IModelGrain> JobWithWorkers(TimeSpan lease)
    {
        var spec = new ModelSpec { Name = Tables.UniqueName("ssp"), Tables = [Table], Consistency = ConsistencySpec.Ssp(Staleness), WorkerLease = lease };
        var model = fixture.Grains.GetGrain<IModelGrain>(spec.Name);
        await model.Create(spec);
        Assert.Equal(0, (await model.Join("fast")).Clock);
        Assert.Equal(0, (await model.Join("slow")).Clock);
        return model;
    }

    private static async Task ReportUpTo(IModelGrain model, string worker, long clock)
    {
        for (var c = 1; c <= clock; c++)
            await model.ReportClock(worker, c);
    }
}
