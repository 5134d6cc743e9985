using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Tests.Cluster;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Client;

/// <summary>The client against real grains on the shared two-silo TestCluster; expected values worked out by hand.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClientClusterTests(ClusterFixture fixture)
{
    private ParameterServerClient Client => new(fixture.Cluster.Client);

    [Fact]
    public async Task A_pushed_gradient_is_applied_by_every_shard_and_pulled_back()
    {
        var model = await Client.CreateModelAsync(SgdTable.Model("pushpull", ConsistencySpec.Async));

        await model.PushAsync("w", SgdTable.Gradient);
        var values = new float[12];
        await model.PullAsync("w", values);

        Assert.Equal(SgdTable.AfterOnePush, values);
    }

    [Fact]
    public async Task A_row_range_across_the_shard_boundary_updates_only_those_rows()
    {
        var model = await Client.CreateModelAsync(SgdTable.Model("rows", ConsistencySpec.Async));

        await model.PushAsync("w", new float[] { 2, 2, 2, 2 }, rowStart: 3); // rows 3 (shard 0) and 4 (shard 1)
        var values = new float[3 * 2];
        await model.PullAsync("w", values, rowStart: 2);

        // Rows 3 and 4: 1 - 0.5 * 2 = 0; rows 2 untouched.
        Assert.Equal(new float[] { 1, 1, 0, 0, 0, 0 }, values);
    }

    [Fact]
    public async Task A_replica_refetches_only_the_shard_that_changed()
    {
        var model = await Client.CreateModelAsync(SgdTable.Model("replica", ConsistencySpec.Async));
        var replica = model.CreateReplica("w");

        Assert.Equal([0, 1], await replica.RefreshAsync());
        Assert.Empty(await replica.RefreshAsync());
        await model.PushAsync("w", new float[] { 4, -2 }, rowStart: 5);

        Assert.Equal([1], await replica.RefreshAsync());
        Assert.Equal((0L, 1L), (replica.Version(0), replica.Version(1)));
        Assert.Equal(new float[] { 1, 1, -1, 2 }, replica.Values.Span[8..].ToArray()); // row 5: 1 - 0.5 * (4, -2)
    }

    [Fact]
    public async Task Table_status_shows_versions_checkpoints_and_the_statistics_of_the_values()
    {
        var model = await Client.CreateModelAsync(SgdTable.Model("status", ConsistencySpec.Async));
        await model.PushAsync("w", SgdTable.Gradient);
        await model.CheckpointAsync();

        var status = await model.GetTableStatusAsync("w");

        Assert.Equal(4, status.ShardRows);
        Assert.Equal([(0, 4), (4, 2)], status.Shards.Select(s => (s.Info.RowStart, s.Info.RowCount)));
        Assert.All(status.Shards, s => Assert.Equal((1L, 1L, 1L), (s.Info.Version, s.Info.UpdateCount, s.Info.CheckpointedVersion)));
        Assert.All(status.Shards, s => Assert.InRange(s.CheckpointAge!.Value, TimeSpan.Zero, TimeSpan.FromMinutes(1)));
        // Shard 0 holds the first 8 values of SgdTable.AfterOnePush: squares 0.765625 + 1.5625 + 0.25 + 0 + 1 + 0.87890625 + 1 + 9
        // = 14.45703125; shard 1 the last 4: 0.5625 + 0.390625 + 2.25 + 0.25 = 3.453125.
        Assert.Equal(14.45703125, status.Shards[0].Stats.SumOfSquares, 9);
        Assert.Equal(3.453125, status.Shards[1].Stats.SumOfSquares, 9);
        Assert.Equal(Math.Sqrt(SgdTable.SumOfSquaresAfterOnePush), status.Stats.L2Norm, 9);
        Assert.Equal((12L, -1f, 3f, 0L), (status.Stats.Count, status.Stats.Min, status.Stats.Max, status.Stats.NaNCount));
    }

    [Fact]
    public async Task Model_status_shows_workers_clocks_and_staleness()
    {
        var model = await Client.CreateModelAsync(SgdTable.Model("clocks", ConsistencySpec.Ssp(3)));
        await model.JoinAsync("a");
        await model.JoinAsync("b");
        await model.ReportClockAsync("a", 3);
        await model.ReportClockAsync("b", 1);

        var status = await model.GetStatusAsync();
        var reachedOne = await model.WaitForClockAsync(1, TimeSpan.FromSeconds(5));
        var timedOut = await model.WaitForClockAsync(2, TimeSpan.FromMilliseconds(100));
        await model.LeaveAsync("b");

        Assert.Equal(["a", "b"], status.Workers.Select(w => w.WorkerId).Order());
        Assert.Equal((1L, 3L, 2L), (status.MinClock, status.MaxClock, status.Staleness));
        Assert.Equal((1L, 1L), (reachedOne, timedOut));
        Assert.Equal(3, (await model.GetStatusAsync()).MinClock); // b left: only a counts
    }

    [Fact]
    public async Task Models_are_listed_and_an_unknown_one_cannot_be_opened()
    {
        var spec = SgdTable.Model("listed", ConsistencySpec.Async);
        await Client.CreateModelAsync(spec);

        Assert.Contains(spec.Name, await Client.ListModelsAsync());
        var error = await Assert.ThrowsAsync<ParameterServerException>(() => Client.OpenModelAsync(Tables.UniqueName("absent")));
        Assert.Equal(ErrorCode.UnknownModel, error.Code);
    }

    [Fact]
    public async Task An_open_model_has_the_created_spec()
    {
        var spec = SgdTable.Model("open", ConsistencySpec.Bsp);
        await Client.CreateModelAsync(spec);

        var model = await Client.OpenModelAsync(spec.Name);

        Assert.True(model.Spec.SameAs(spec));
        Assert.Equal(2, model.Layout("w").ShardCount);
    }

    [Fact]
    public async Task A_spec_that_cannot_be_served_is_refused_by_the_client()
    {
        var spec = new ModelSpec { Name = Tables.UniqueName("bad"), Tables = [SgdTable.Spec with { Rows = 0 }] };

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => Client.CreateModelAsync(spec));

        Assert.Equal(ErrorCode.InvalidSpec, error.Code);
        Assert.DoesNotContain(spec.Name, await Client.ListModelsAsync());
    }
}
