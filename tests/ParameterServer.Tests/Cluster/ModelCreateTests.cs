using ParameterServer.Contracts;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Cluster;

/// <summary>Creating a model: validated, idempotent with the same spec, refused with another one, listed in the directory.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ModelCreateTests(ClusterFixture fixture)
{
    private static TableSpec Table() => new() { Name = "w", Rows = 6, Cols = 2, ShardRows = 4, Initializer = InitializerSpec.Constant(1f), Optimizer = OptimizerSpec.Sgd(0.5f) };

    [Fact]
    public async Task Create_with_the_same_spec_is_a_no_op()
    {
        var spec = await fixture.Grains.CreateModel("same", ConsistencySpec.Ssp(2), Table());
        await fixture.Grains.PushTable(spec.Name, spec.Tables[0], Enumerable.Repeat(1f, 12).ToArray());

        // An equal spec built anew: compared by value, not by reference.
        await fixture.Grains.GetGrain<IModelGrain>(spec.Name).Create(spec with { Tables = [Table()] });

        Assert.All(await fixture.Grains.PullTable(spec.Name, Table()), v => Assert.Equal(0.5f, v));
        Assert.All(await fixture.Grains.ShardInfos(spec.Name, Table()), s => Assert.Equal(1, s.Version));
    }

    [Fact]
    public async Task Create_with_another_spec_is_a_spec_mismatch_and_keeps_the_first()
    {
        var spec = await fixture.Grains.CreateModel("other", ConsistencySpec.Async, Table());
        var model = fixture.Grains.GetGrain<IModelGrain>(spec.Name);
        var changed = spec with { Tables = [Table() with { Optimizer = OptimizerSpec.Sgd(0.25f) }] };

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => model.Create(changed));

        Assert.Equal(ErrorCode.SpecMismatch, error.Code);
        Assert.True((await model.GetSpec()).SameAs(spec));
    }

    [Fact]
    public async Task Invalid_spec_is_refused_and_creates_nothing()
    {
        var name = Tables.UniqueName("invalid");
        var model = fixture.Grains.GetGrain<IModelGrain>(name);
        var spec = new ModelSpec { Name = name, Tables = [Table() with { Rows = 0 }] };

        Assert.Equal(ErrorCode.InvalidSpec, (await Assert.ThrowsAsync<ParameterServerException>(() => model.Create(spec))).Code);
        Assert.Equal(ErrorCode.UnknownModel, (await Assert.ThrowsAsync<ParameterServerException>(() => model.GetSpec())).Code);
        Assert.DoesNotContain(name, await fixture.Grains.GetGrain<IModelDirectoryGrain>(0).List());
    }

    [Fact]
    public async Task Spec_sent_to_a_model_of_another_name_is_refused()
    {
        var spec = new ModelSpec { Name = Tables.UniqueName("named"), Tables = [Table()] };

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => fixture.Grains.GetGrain<IModelGrain>(Tables.UniqueName("elsewhere")).Create(spec));

        Assert.Equal(ErrorCode.InvalidSpec, error.Code);
    }

    [Fact]
    public async Task Created_models_are_listed_in_the_directory()
    {
        var a = await fixture.Grains.CreateModel("listed", ConsistencySpec.Async, Table());
        var b = await fixture.Grains.CreateModel("listed", ConsistencySpec.Bsp, Table());

        var models = await fixture.Grains.GetGrain<IModelDirectoryGrain>(0).List();

        Assert.Contains(a.Name, models);
        Assert.Contains(b.Name, models);
        Assert.Equal(models.Order(StringComparer.Ordinal), models);
    }

    [Fact]
    public async Task A_name_added_to_the_directory_without_its_model_is_refused_and_not_listed()
    {
        var name = Tables.UniqueName("phantom");
        var directory = fixture.Grains.GetGrain<IModelDirectoryGrain>(0);

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => directory.Add(name));

        // Listed, it would make every status query fail on a model that does not open.
        Assert.Equal(ErrorCode.UnknownModel, error.Code);
        Assert.DoesNotContain(name, await directory.List());
    }

    [Fact]
    public async Task Shards_spread_over_the_silos()
    {
        // 16 shards of one row, placed at random over two silos: all on one silo has odds 2^-15.
        var table = Table() with { Rows = 16, ShardRows = 1 };
        var spec = await fixture.Grains.CreateModel("spread", ConsistencySpec.Async, table);

        var silos = (await fixture.Grains.ShardInfos(spec.Name, table)).Select(s => s.Silo).Distinct();

        Assert.Equal(2, silos.Count());
    }
}
