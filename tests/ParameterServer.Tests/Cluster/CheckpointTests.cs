using Orleans.Core.Internal;
using ParameterServer.Contracts;
using Xunit;

namespace ParameterServer.Tests.Cluster;

/// <summary>Checkpoints on demand, every N updates, every T seconds and on deactivation; a reactivated shard restores them.</summary>
[Collection(ClusterCollection.Name)]
public sealed class CheckpointTests(ClusterFixture fixture)
{
    private static readonly TableSpec Table = new()
    {
        Name = "w", Rows = 6, Cols = 2, ShardRows = 3, Initializer = InitializerSpec.Constant(1f), Optimizer = OptimizerSpec.WithMomentum(0.5f, 0.5f),
    };

    private static float[] Ones => Enumerable.Repeat(1f, 12).ToArray();

    [Fact]
    public async Task Initialized_shards_are_checkpointed_at_version_zero()
    {
        var spec = await fixture.Grains.CreateModel("ckinit", ConsistencySpec.Async, Table);

        Assert.All(await fixture.Grains.ShardInfos(spec.Name, Table), s => Assert.Equal((0, true), (s.CheckpointedVersion, s.CheckpointedAt.HasValue)));
    }

    [Fact]
    public async Task Checkpoint_on_demand_writes_the_current_version_of_every_shard()
    {
        var spec = await fixture.Grains.CreateModel("ckdemand", ConsistencySpec.Async, Table);
        await fixture.Grains.PushTable(spec.Name, Table, Ones);

        Assert.Equal(2, await fixture.Grains.GetGrain<IModelGrain>(spec.Name).Checkpoint());

        Assert.All(await fixture.Grains.ShardInfos(spec.Name, Table), s => Assert.Equal((1, 1), (s.Version, s.CheckpointedVersion)));
    }

    [Fact]
    public async Task Every_n_updates_triggers_a_checkpoint()
    {
        var spec = await fixture.Grains.CreateModel("ckcount", ConsistencySpec.Async, Table);
        for (var i = 0; i < ClusterFixture.CheckpointEveryUpdates; i++)
            await fixture.Grains.PushTable(spec.Name, Table, Ones);

        // The write runs in the background; well before the interval trigger it has landed.
        var shard = fixture.Grains.Shard(spec.Name, "w", 0);
        var info = await Eventually(shard, s => s.CheckpointedVersion == ClusterFixture.CheckpointEveryUpdates, ClusterFixture.CheckpointInterval / 2);
        Assert.Equal(ClusterFixture.CheckpointEveryUpdates, info.CheckpointedVersion);
    }

    [Fact]
    public async Task Interval_triggers_a_checkpoint_of_a_changed_shard()
    {
        var spec = await fixture.Grains.CreateModel("ckinterval", ConsistencySpec.Async, Table);
        await fixture.Grains.PushTable(spec.Name, Table, Ones);

        var info = await Eventually(fixture.Grains.Shard(spec.Name, "w", 1), s => s.CheckpointedVersion == 1, ClusterFixture.CheckpointInterval * 3);
        Assert.Equal(1, info.CheckpointedVersion);
    }

    [Fact]
    public async Task Deactivated_shard_writes_its_state_and_restores_values_slots_and_version()
    {
        var spec = await fixture.Grains.CreateModel("ckrestore", ConsistencySpec.Async, Table);
        await fixture.Grains.PushTable(spec.Name, Table, Ones);
        await fixture.Grains.PushTable(spec.Name, Table, Ones);
        var shard = fixture.Grains.Shard(spec.Name, "w", 0);

        await shard.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        // Momentum 0.5, lr 0.5, g = 1: b = 1, w = 1 - 0.5 = 0.5; b = 1.5, w = 0.5 - 0.75 = -0.25.
        var info = await shard.GetInfo();
        Assert.Equal((2, 2), (info.Version, info.CheckpointedVersion));
        Assert.All(await fixture.Grains.PullTable(spec.Name, Table), v => Assert.Equal(-0.25f, v));

        // The momentum buffer came back too: b = 0.5 * 1.5 + 1 = 1.75, w = -0.25 - 0.875 = -1.125.
        await fixture.Grains.PushTable(spec.Name, Table, Ones);
        Assert.All(await fixture.Grains.PullTable(spec.Name, Table), v => Assert.Equal(-1.125f, v));
    }

    private static async Task<ShardInfo> Eventually(IShardGrain shard, Func<ShardInfo, bool> done, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var info = await shard.GetInfo();
        while (!done(info) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            info = await shard.GetInfo();
        }
        return info;
    }
}
