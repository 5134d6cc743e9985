using Orleans.TestingHost;
using ParameterServer.Contracts;
using Xunit;

namespace ParameterServer.Tests.Cluster;

/// <summary>
/// The silo-loss scenario shared by the checkpoint stores: three SGD pushes, a checkpoint, then the secondary silo
/// that hosts a shard is killed; the shard reactivates on the other silo with the checkpointed values and version.
/// </summary>
public static class SiloLoss
{
    // 16 shards of one row: with random placement over two silos, some land on the secondary one (1 - 2^-16).
    private static readonly TableSpec Table = new()
    {
        Name = "w", Rows = 16, Cols = 4, ShardRows = 1, Initializer = InitializerSpec.Constant(1f), Optimizer = OptimizerSpec.Sgd(0.25f),
    };

    public static async Task ShardReactivatesFromItsCheckpoint(TestCluster cluster)
    {
        var grains = cluster.GrainFactory;
        var spec = await grains.CreateModel("durable", ConsistencySpec.Async, Table);
        var gradient = Enumerable.Range(0, 64).Select(i => i / 16f).ToArray();
        for (var i = 0; i < 3; i++)
            await grains.PushTable(spec.Name, Table, gradient);
        await grains.GetGrain<IModelGrain>(spec.Name).Checkpoint();

        var infos = await grains.ShardInfos(spec.Name, Table);
        var secondary = cluster.SecondarySilos[0];
        var victim = infos.First(s => s.Silo == secondary.SiloAddress.ToString());
        Assert.Equal((3, 3), (victim.Version, victim.CheckpointedVersion));

        await cluster.KillSiloAsync(secondary);
        try
        {
            var shard = grains.Shard(spec.Name, "w", victim.Shard);
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
            // Tests that share the cluster expect two silos.
            await cluster.StartAdditionalSiloAsync();
        }
    }
}
