using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Tests.Cluster;
using Xunit;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// A silo dies under a client that keeps pushing: its shards come back on the other silo from their checkpoints, and
/// the job records, per shard, the acknowledged updates that were lost (the client reports what it saw).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SiloLossTests(ClusterFixture fixture)
{
    // 16 shards of one row of zeros under SGD with lr 1: after v pushes of g = 1/1024 a shard's values are -v/1024.
    // With random placement over two silos, some shards land on the one that dies (1 - 2^-16).
    private static readonly TableSpec Table = new() { Name = "w", Rows = 16, Cols = 4, ShardRows = 1, Optimizer = OptimizerSpec.Sgd(1f) };
    private static readonly float[] Gradient = Enumerable.Repeat(1f / 1024, 64).ToArray();

    [Fact]
    public async Task The_job_records_each_restored_shard_with_the_acknowledged_updates_it_lost()
    {
        var client = new ParameterServerClient(fixture.Grains);
        var model = await client.CreateModelAsync(new ModelSpec { Name = Tables.UniqueName("silo-loss"), Consistency = ConsistencySpec.Async, Tables = [Table] });
        for (var i = 0; i < 3; i++)
            await model.PushAsync("w", Gradient);
        await model.CheckpointAsync();
        for (var i = 0; i < 2; i++)
            await model.PushAsync("w", Gradient); // acknowledged up to version 5; checkpoints of 4 or 5 may land in the background
        var before = await fixture.Grains.ShardInfos(model.Name, Table);

        var secondary = fixture.Cluster.SecondarySilos[0];
        await fixture.Cluster.KillSiloAsync(secondary);
        try
        {
            await model.PushAsync("w", Gradient);

            var after = await fixture.Grains.ShardInfos(model.Name, Table);
            var moved = after.Where(s => s.Activation != before[s.Shard].Activation).ToArray();
            var losses = (await model.GetStatusAsync()).Losses.ToDictionary(l => l.Shard, l => l.LostUpdates);
            Assert.NotEmpty(moved);
            Assert.All(moved, s => Assert.Equal(secondary.SiloAddress.ToString(), before[s.Shard].Silo));
            Assert.All(moved, s => Assert.InRange(s.RestoredVersion, 3, 5));
            // Lost: what the client was acknowledged (5) minus where the shard came back (its checkpoint); 0 for the others.
            Assert.All(after, s => Assert.Equal(moved.Contains(s) ? 5 - s.RestoredVersion : 0, losses.GetValueOrDefault(s.Key)));
            // Every shard serves a state whose values match its version: -v/1024, v = restored version + 1.
            var values = await fixture.Grains.PullTable(model.Name, Table);
            Assert.All(after, s => Assert.All(values[(s.Shard * 4)..(s.Shard * 4 + 4)], v => Assert.Equal(-s.Version / 1024f, v)));
        }
        finally
        {
            // The other cluster tests expect two silos.
            await fixture.Cluster.StartAdditionalSiloAsync();
        }
    }
}
