using ParameterServer.Contracts;
using Xunit;

namespace ParameterServer.Tests.Cluster;

/// <summary>
/// BSP: the shards sum the pushes of one clock and apply their average as one update once every worker has
/// reported the clock, before any waiter goes on: synchronous SGD on the workers' combined batch.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class BspTests(ClusterFixture fixture)
{
    // 4 rows x 2 cols in two shards of 2 rows.
    private static readonly TableSpec Table = new()
    {
        Name = "w", Rows = 4, Cols = 2, ShardRows = 2, Initializer = InitializerSpec.Constant(1f), Optimizer = OptimizerSpec.Sgd(0.5f),
    };

    [Fact]
    public async Task Two_workers_pushes_of_one_clock_become_one_update_with_the_average_gradient()
    {
        var spec = await fixture.Grains.CreateModel("bsp", ConsistencySpec.Bsp, Table);
        var model = fixture.Grains.GetGrain<IModelGrain>(spec.Name);
        await model.Join("a");
        await model.Join("b");
        float[] ga = [1, 2, 3, 4, 5, 6, 7, 8];
        float[] gb = [3, 2, 1, 0, -1, -2, -3, -4];

        var pushedA = await fixture.Grains.PushTable(spec.Name, Table, ga, workerId: "a", clock: 1);
        var pushedB = await fixture.Grains.PushTable(spec.Name, Table, gb, workerId: "b", clock: 1);
        Assert.All(pushedA.Concat(pushedB), r => Assert.Equal((0, false), (r.Version, r.Applied)));

        await model.ReportClock("a", 1);
        var waitA = model.WaitForMinClock(1, TimeSpan.FromSeconds(20));
        Assert.All(await fixture.Grains.ShardInfos(spec.Name, Table), s => Assert.Equal(0, s.Version));
        var reportB = model.ReportClock("b", 1);
        Assert.Equal(1, await waitA);

        // Released means applied: a pulls at once, without waiting for b's report to return.
        // One process with the combined batch: g = (ga + gb) / 2 = [2, 2, 2, 2, 2, 2, 2, 2]; w = 1 - 0.5 * 2 = 0.
        Assert.All(await fixture.Grains.PullTable(spec.Name, Table), v => Assert.Equal(0f, v));
        Assert.All(await fixture.Grains.ShardInfos(spec.Name, Table), s => Assert.Equal((1, 2), (s.Version, s.UpdateCount)));
        await reportB;
    }

    [Fact]
    public async Task Pushes_for_a_later_clock_wait_for_that_clock()
    {
        var spec = await fixture.Grains.CreateModel("bsplater", ConsistencySpec.Bsp, Table);
        var model = fixture.Grains.GetGrain<IModelGrain>(spec.Name);
        await model.Join("a");
        float[] g1 = [1, 1, 1, 1, 1, 1, 1, 1];
        float[] g2 = [-1, -1, -1, -1, -1, -1, -1, -1];

        await fixture.Grains.PushTable(spec.Name, Table, g1, workerId: "a", clock: 1);
        await fixture.Grains.PushTable(spec.Name, Table, g2, workerId: "a", clock: 2);
        await model.ReportClock("a", 1);

        // Only clock 1 applied: w = 1 - 0.5 * 1 = 0.5; clock 2's gradient still waits.
        Assert.All(await fixture.Grains.PullTable(spec.Name, Table), v => Assert.Equal(0.5f, v));
        await model.ReportClock("a", 2);
        // w = 0.5 - 0.5 * (-1) = 1.
        Assert.All(await fixture.Grains.PullTable(spec.Name, Table), v => Assert.Equal(1f, v));
        Assert.All(await fixture.Grains.ShardInfos(spec.Name, Table), s => Assert.Equal(2, s.Version));
    }
}
