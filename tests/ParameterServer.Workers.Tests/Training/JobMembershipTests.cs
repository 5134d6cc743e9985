using Microsoft.Extensions.Logging.Abstractions;
using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Tests.Cluster;
using ParameterServer.Workers.Training;

namespace ParameterServer.Workers.Tests.Training;

[Collection(ClusterCollection.Name)]
public sealed class JobMembershipTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Heartbeats_keep_a_worker_in_the_job_past_its_lease_and_a_membership_disposed_without_leaving_still_leaves()
    {
        // A 600 ms lease: the job checks it every 150 ms; the membership beats every 200 ms.
        var model = await new ParameterServerClient(fixture.Cluster.Client).CreateModelAsync(new ModelSpec
        {
            Name = $"member-{Guid.NewGuid():N}",
            Tables = [new TableSpec { Name = "w", Rows = 1, Cols = 1 }],
            WorkerLease = TimeSpan.FromMilliseconds(600),
        });

        var member = await JobMembership.JoinAsync(model.ForWorker("worker-0"), NullLogger.Instance);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(["worker-0"], (await model.GetStatusAsync()).Workers.Select(w => w.WorkerId));

        await member.DisposeAsync();
        Assert.Empty((await model.GetStatusAsync()).Workers);
    }
}
