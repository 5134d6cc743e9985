using ParameterServer.Contracts;
using Xunit;

namespace ParameterServer.Tests.Cluster;

/// <summary>A silo dies: its shards reactivate on the other silo from the checkpoint store, which outlives it.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DurabilityTests(ClusterFixture fixture)
{
    // 16 shards of one row: with random placement over two silos, some land on the secondary one (1 - 2^-16).
    private static readonly TableSpec Table = new()
    {
        Name = "w", Rows = 16, Cols = 4, ShardRows = 1, Initializer = InitializerSpec.Constant(1f), Optimizer = OptimizerSpec.Sgd(0.25f),
    };

    [Fact]
    public async Task Shard_of_a_killed_silo_reactivates_with_the_checkpointed_values_and_version()
    {
        var spec = await fixture.Grains.CreateModel("durable", ConsistencySpec.Async, Table);
        var gradient = Enumerable.Range(0, 64).Select(i => i / 16f).ToArray();
        for (var i = 0; i < 3; i++)
            await fixture.Grains.PushTable(spec.Name, Table, gradient);
        await fixture.Grains.GetGrain<IModelGrain>(spec.Name).Checkpoint();

        var infos = await fixture.Grains.ShardInfos(spec.Name, Table);
        var secondary = fixture.Cluster.SecondarySilos[0];
        var victim = infos.First(s => s.Silo == secondary.SiloAddress.ToString());
        Assert.Equal((3, 3), (victim.Version, victim.CheckpointedVersion));

        await fixture.Cluster.KillSiloAsync(secondary);
        try
        {
            var shard = fixture.Grains.Shard(spec.Name, "w", victim.Shard);
            var restored = await shard.GetInfo();

            Assert.NotEqual(victim.Silo, restored.Silo);
            Assert.Equal((3, 3), (restored.Version, restored.CheckpointedVersion));
            // Three SGD steps of lr 0.25: w = 1 - 3 * 0.25 * g = 1 - 0.75 g for the shard's row.
            var row = (await shard.Pull(new PullRequest { RowCount = 1 }))!;
            var values = new float[4];
            PayloadCodec.Decode(row.Payload, TensorEncoding.Fp32, values);
            Assert.Equal(Enumerable.Range(victim.Shard * 4, 4).Select(i => 1 - 0.75f * gradient[i]), values);
        }
        finally
        {
            // The other cluster tests expect two silos.
            await fixture.Cluster.StartAdditionalSiloAsync();
        }
    }
}
