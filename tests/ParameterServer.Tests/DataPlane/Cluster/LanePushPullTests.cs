using ParameterServer.Contracts;
using ParameterServer.Tests.Client;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.DataPlane.Cluster;

/// <summary>
/// The client API against silos with data ports: pushes and pulls travel on lanes (the data ports' counters show every
/// byte) and give the values worked out by hand in <see cref="SgdTable"/>.
/// </summary>
[Collection(LaneClusterCollection.Name)]
public sealed class LanePushPullTests(LaneClusterFixture fixture)
{
    [Fact]
    public async Task A_push_and_a_pull_of_the_whole_table_cross_the_data_ports_and_apply_sgd_once()
    {
        var model = await fixture.Client.CreateModelAsync(SgdTable.Model("lanes", ConsistencySpec.Async));
        var before = fixture.Totals();

        await model.PushAsync("w", SgdTable.Gradient);
        var pushed = fixture.Totals() - before;
        var values = new float[12];
        await model.PullAsync("w", values);
        var pulled = fixture.Totals() - before - pushed;

        Assert.Equal(SgdTable.AfterOnePush, values);
        // Two shards (8 and 4 values of 4 bytes): one lane push and one lane pull each, nothing else.
        Assert.Equal(new LaneTotals(Pushes: 2, PushBytes: 48, Pulls: 0, PullBytes: 0), pushed);
        Assert.Equal(new LaneTotals(Pushes: 0, PushBytes: 0, Pulls: 2, PullBytes: 48), pulled);
        var status = await model.GetTableStatusAsync("w");
        Assert.All(status.Shards, s => Assert.Equal((1L, 1L), (s.Info.Version, s.Info.UpdateCount)));
    }

    [Fact]
    public async Task A_bf16_replica_refreshes_on_lanes_and_a_current_shard_costs_no_bytes()
    {
        var model = await fixture.Client.CreateModelAsync(SgdTable.Model("lanes-bf16", ConsistencySpec.Async));
        var replica = model.CreateReplica("w", encoding: TensorEncoding.Bf16);
        var before = fixture.Totals();

        var first = await replica.RefreshAsync();
        var initial = replica.Values.ToArray();
        await model.PushAsync("w", SgdTable.Gradient, encoding: TensorEncoding.Bf16);
        var second = await replica.RefreshAsync();
        var third = await replica.RefreshAsync();
        var moved = fixture.Totals() - before;

        Assert.Equal([0, 1], first);
        Assert.All(initial, v => Assert.Equal(1f, v));
        Assert.Equal([0, 1], second);
        Assert.Empty(third);
        // Every value of SgdTable is exact in bf16 (at most 4 significant bits).
        Assert.Equal(SgdTable.AfterOnePush, replica.Values.ToArray());
        Assert.Equal((1L, 1L), (replica.Version(0), replica.Version(1)));
        // 12 values of 2 bytes: pushed once, pulled twice; the third refresh was answered "current" without data.
        Assert.Equal(new LaneTotals(Pushes: 2, PushBytes: 24, Pulls: 4, PullBytes: 48), moved);
    }

    [Fact]
    public async Task A_gradient_holding_nan_within_one_shard_crosses_its_lane_and_is_refused_by_the_shard()
    {
        var model = await fixture.Client.CreateModelAsync(SgdTable.Model("lanes-nan", ConsistencySpec.Async));
        var gradient = SgdTable.Gradient[8..];
        gradient[1] = float.NaN;
        var before = fixture.Totals();

        // Rows 4 and 5, shard 1's: the client leaves the check to the shard.
        var error = await Assert.ThrowsAsync<ParameterServerException>(() => model.PushAsync("w", gradient, rowStart: 4));

        Assert.Equal(ErrorCode.NonFinite, error.Code);
        Assert.Contains("holds NaN or Inf", error.Message);
        Assert.Equal(new LaneTotals(Pushes: 1, PushBytes: 16, Pulls: 0, PullBytes: 0), fixture.Totals() - before);
        var status = await model.GetTableStatusAsync("w");
        Assert.All(status.Shards, s => Assert.Equal((0L, 0L), (s.Info.Version, s.Info.UpdateCount)));
    }

    [Fact]
    public async Task Rows_that_cover_part_of_a_shard_are_pulled_in_grain_calls()
    {
        var model = await fixture.Client.CreateModelAsync(SgdTable.Model("lanes-rows", ConsistencySpec.Async));
        await model.PushAsync("w", SgdTable.Gradient);
        var before = fixture.Totals();

        // Rows 3 and 4: the last row of shard 0 and the first of shard 1.
        var rows = new float[4];
        await model.PullAsync("w", rows, rowStart: 3);

        Assert.Equal(SgdTable.AfterOnePush[6..10], rows);
        Assert.Equal(default, fixture.Totals() - before);
    }
}
