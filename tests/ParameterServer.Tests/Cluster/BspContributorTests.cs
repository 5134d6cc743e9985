using ParameterServer.Contracts;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Cluster;

/// <summary>
/// Under BSP a push for a clock counts in that clock's average, so only the job's workers (and their contributor ids,
/// "{worker}.{suffix}") may send one: from no worker id, or one that never joined, it is refused and summed nowhere.
/// A push with clock -1 is applied at once, from anyone.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class BspContributorTests(ClusterFixture fixture)
{
    // 4 rows x 2 cols in two shards of 2 rows, all ones, SGD with lr 0.5.
    private static readonly TableSpec Table = new()
    {
        Name = "w", Rows = 4, Cols = 2, ShardRows = 2, Initializer = InitializerSpec.Constant(1f), Optimizer = OptimizerSpec.Sgd(0.5f),
    };

    private static readonly float[] Ones = Enumerable.Repeat(1f, 8).ToArray();

    [Theory]
    [InlineData("")]
    [InlineData("stranger")]
    [InlineData("a-not")]
    public async Task A_push_for_a_clock_from_a_non_member_is_refused_and_not_averaged(string workerId)
    {
        var spec = await fixture.Grains.CreateModel("bspstranger", ConsistencySpec.Bsp, Table);
        var model = fixture.Grains.GetGrain<IModelGrain>(spec.Name);
        await model.Join("a");

        var error = await Assert.ThrowsAsync<ParameterServerException>(() =>
            fixture.Grains.PushTable(spec.Name, Table, Enumerable.Repeat(-7f, 8).ToArray(), workerId: workerId, clock: 1));
        await fixture.Grains.PushTable(spec.Name, Table, Ones, workerId: "a", clock: 1);
        await model.ReportClock("a", 1);

        Assert.Equal(ErrorCode.UnknownWorker, error.Code);
        // a's gradient alone: w = 1 - 0.5 * 1 = 0.5. Averaged with the refused push it would be 1 - 0.5 * (1 - 7) / 2 = 2.5.
        Assert.All(await fixture.Grains.PullTable(spec.Name, Table), v => Assert.Equal(0.5f, v));
        Assert.All(await fixture.Grains.ShardInfos(spec.Name, Table), s => Assert.Equal((1, 1), (s.Version, s.UpdateCount)));
    }

    [Fact]
    public async Task Contributor_ids_of_a_member_each_count_in_the_average()
    {
        var spec = await fixture.Grains.CreateModel("bspparts", ConsistencySpec.Bsp, Table);
        var model = fixture.Grains.GetGrain<IModelGrain>(spec.Name);
        // A worker id with a dot of its own: "w.1" is the member, "w.1.p0" and "w.1.p1" its contributors.
        await model.Join("w.1");
        float[] g0 = [1, 2, 3, 4, 5, 6, 7, 8];
        float[] g1 = [3, 2, 1, 0, -1, -2, -3, -4];

        await fixture.Grains.PushTable(spec.Name, Table, g0, workerId: "w.1.p0", clock: 1);
        await fixture.Grains.PushTable(spec.Name, Table, g1, workerId: "w.1.p1", clock: 1);
        await model.ReportClock("w.1", 1);

        // Two contributions: g = (g0 + g1) / 2 = 2 everywhere; w = 1 - 0.5 * 2 = 0.
        Assert.All(await fixture.Grains.PullTable(spec.Name, Table), v => Assert.Equal(0f, v));
    }

    [Fact]
    public async Task A_push_with_clock_minus_1_is_applied_at_once_from_anyone()
    {
        var spec = await fixture.Grains.CreateModel("bspnow", ConsistencySpec.Bsp, Table);

        var replies = await fixture.Grains.PushTable(spec.Name, Table, Ones);

        // w = 1 - 0.5 * 1 = 0.5, without any clock.
        Assert.All(replies, r => Assert.Equal((1, true), (r.Version, r.Applied)));
        Assert.All(await fixture.Grains.PullTable(spec.Name, Table), v => Assert.Equal(0.5f, v));
    }
}
