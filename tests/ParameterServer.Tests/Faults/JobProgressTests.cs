using Orleans.Core.Internal;
using ParameterServer.Contracts;
using ParameterServer.Tests.Cluster;
using Xunit;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// A job's progress outlives its activation: a model grain that comes back (on another silo after a loss, or after a
/// whole-cluster restart) still has its workers, their clocks and its completed clock, so they go on from there.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class JobProgressTests(ClusterFixture fixture)
{
    private static readonly TableSpec Table = new() { Name = "w", Rows = 2, Cols = 2 };

    [Fact]
    public async Task A_reactivated_job_keeps_its_workers_their_clocks_and_its_completed_clock()
    {
        var spec = await fixture.Grains.CreateModel("progress", ConsistencySpec.Ssp(1), Table);
        var job = fixture.Grains.GetGrain<IModelGrain>(spec.Name);
        await job.Join("w1");
        await job.Join("w2");
        await job.ReportClock("w1", 2);
        await job.ReportClock("w2", 3);

        await job.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var status = await job.GetStatus();

        Assert.Equal([("w1", 2L), ("w2", 3L)], status.Workers.Select(w => (w.WorkerId, w.Clock)));
        Assert.Equal((2, 3), (status.MinClock, status.MaxClock));
        // A member that joins again resumes at its own clock, and the completed clock holds: nobody waits for clock 2.
        Assert.Equal(2, (await job.Join("w1")).Clock);
        Assert.Equal(2, await job.WaitForMinClock(2, TimeSpan.Zero));
    }

    [Fact]
    public async Task A_worker_that_left_stays_gone_after_the_job_comes_back()
    {
        var spec = await fixture.Grains.CreateModel("progress-left", ConsistencySpec.Ssp(1), Table);
        var job = fixture.Grains.GetGrain<IModelGrain>(spec.Name);
        await job.Join("w1");
        await job.Join("w2");
        await job.Leave("w2");

        await job.AsReference<IGrainManagementExtension>().DeactivateOnIdle();

        Assert.Equal(["w1"], (await job.GetStatus()).Workers.Select(w => w.WorkerId));
    }
}
