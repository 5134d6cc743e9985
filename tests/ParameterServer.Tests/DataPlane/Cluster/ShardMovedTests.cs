using ParameterServer.Contracts;
using ParameterServer.Tests.Client;
using Xunit;

namespace ParameterServer.Tests.DataPlane.Cluster;

/// <summary>
/// A shard moves to the other silo (deactivated on one, activated on the other) between a push's arrival and its commit,
/// which the old silo's data port makes: the commit finds no push under its token on the new silo, the client resolves
/// the shard again and sends the bytes there. The update is applied exactly once; the orphaned bytes on the old silo
/// expire.
/// </summary>
[Collection(LaneClusterCollection.Name)]
public sealed class ShardMovedTests(LaneClusterFixture fixture)
{
    [Fact]
    public async Task A_commit_that_finds_its_shard_moved_is_sent_again_to_the_new_silo_and_applied_once()
    {
        var model = await fixture.Client.CreateModelAsync(SgdTable.Model("moved", ConsistencySpec.Async));
        var key = TableLayout.ShardKey(model.Name, "w", 1);
        var shard = fixture.Grains.GetGrain<IShardGrain>(key);
        var old = fixture.Hosting(key);
        var next = fixture.Cluster.GetActiveSilos().Single(silo => silo != old);
        var oldPort = fixture.DataPort(old);
        var nextPort = fixture.DataPort(next);
        var (oldBefore, nextBefore) = (LaneTotals.Of(oldPort.Lanes.Counters), LaneTotals.Of(nextPort.Lanes.Counters));
        fixture.Commits(old).BeforeNextCommit(() => fixture.MoveAsync(key, next));

        // Rows 4 and 5 are shard 1's: only that shard's push is intercepted.
        await model.PushAsync("w", SgdTable.Gradient[8..], rowStart: 4);
        var rows = new float[4];
        await model.PullAsync("w", rows, rowStart: 4);

        Assert.True(nextPort.Hosts(key));
        Assert.Equal(SgdTable.AfterOnePush[8..], rows);
        Assert.Equal((1L, 1L), ((await shard.GetInfo()).Version, (await shard.GetInfo()).UpdateCount));
        // Sent twice (4 values of 4 bytes), once to each silo; committed once, on the new one: the copy on the old silo
        // was never applied, and expires.
        Assert.Equal(new LaneTotals(1, 16, 0, 0), LaneTotals.Of(oldPort.Lanes.Counters) - oldBefore);
        Assert.Equal(new LaneTotals(1, 16, 1, 16), LaneTotals.Of(nextPort.Lanes.Counters) - nextBefore);
        TestLaneServer.Eventually(() => oldPort.Lanes.Staging.Count == 0 && oldPort.Lanes.Staging.Pool.RentedBytes == 0,
            "the orphaned push expired and its buffer went back to the pool");
    }
}
