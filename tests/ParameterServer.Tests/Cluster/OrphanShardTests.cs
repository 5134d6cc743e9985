using ParameterServer.Contracts;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Cluster;

/// <summary>
/// A shard sets itself up only with a setup its model's record lists: no call can leave a shard, served and
/// checkpointed, that no model accounts for.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class OrphanShardTests(ClusterFixture fixture)
{
    private static readonly TableSpec Table = new() { Name = "w", Rows = 6, Cols = 2, ShardRows = 4, Initializer = InitializerSpec.Constant(1f) };

    [Fact]
    public async Task A_valid_setup_for_a_model_that_does_not_exist_is_refused_and_leaves_nothing()
    {
        var name = Tables.UniqueName("orphan");
        var shard = fixture.Grains.Shard(name, "w", 0);
        var setup = new ShardSetup { Model = name, Table = Table, Shard = 0, Consistency = ConsistencyMode.Async };

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => shard.Initialize(setup));

        Assert.Equal(ErrorCode.UnknownModel, error.Code);
        Assert.Equal(ErrorCode.UnknownModel, (await Assert.ThrowsAsync<ParameterServerException>(() => shard.GetInfo())).Code);
        Assert.DoesNotContain(Directory.EnumerateFiles(fixture.CheckpointDirectory, "*", SearchOption.AllDirectories), f => f.Contains(name, StringComparison.Ordinal));
        // Nothing in the way of the model's own create, with other rows and values than the refused setup.
        var spec = new ModelSpec { Name = name, Tables = [Table with { Rows = 5, Initializer = InitializerSpec.Constant(2f) }], Consistency = ConsistencySpec.Bsp };
        await fixture.Grains.GetGrain<IModelGrain>(name).Create(spec);
        Assert.All(await fixture.Grains.PullTable(name, spec.Tables[0]), v => Assert.Equal(2f, v));
    }

    [Fact]
    public async Task Setups_the_model_does_not_list_are_refused_with_what_is_unknown()
    {
        var spec = await fixture.Grains.CreateModel("unlisted", ConsistencySpec.Async, Table);
        var setup = new ShardSetup { Model = spec.Name, Table = Table, Shard = 0, Consistency = ConsistencyMode.Async };
        var otherTable = setup with { Table = Table with { Name = "v" } };
        var pastTheLast = setup with { Shard = 2 };

        var unknownTable = await Assert.ThrowsAsync<ParameterServerException>(() => fixture.Grains.Shard(spec.Name, "v", 0).Initialize(otherTable));
        var unknownShard = await Assert.ThrowsAsync<ParameterServerException>(() => fixture.Grains.Shard(spec.Name, "w", 2).Initialize(pastTheLast));

        Assert.Equal((ErrorCode.UnknownTable, ErrorCode.UnknownShard), (unknownTable.Code, unknownShard.Code));
        Assert.Equal(ErrorCode.UnknownTable, (await Assert.ThrowsAsync<ParameterServerException>(() => fixture.Grains.Shard(spec.Name, "v", 0).GetInfo())).Code);
    }
}
