using ParameterServer.Contracts;
using ParameterServer.Grains.Hosting;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Cluster;

/// <summary>
/// A model whose values and optimizer slots exceed the silos' limit (here 1 MiB) is refused before any shard is set
/// up, with the size and the limit in the error; one at the limit is created.
/// </summary>
[Collection(LimitedSiloCollection.Name)]
public sealed class ModelSizeLimitTests(LimitedSiloFixture fixture)
{
    // 256 x 1024 = 262,144 values in 2 shards of 128 rows (512 KiB each).
    private static TableSpec Table(OptimizerSpec optimizer) => new() { Name = "w", Rows = 256, Cols = 1024, ShardRows = 128, Optimizer = optimizer };

    [Fact]
    public async Task A_model_at_the_limit_is_created()
    {
        // SGD keeps no slots: 262,144 values x 4 bytes = 1,048,576 bytes, the limit exactly.
        var spec = await fixture.Grains.CreateModel("atlimit", ConsistencySpec.Async, Table(OptimizerSpec.Sgd(0.1f)));

        Assert.True((await fixture.Grains.GetGrain<IModelGrain>(spec.Name).GetSpec()).SameAs(spec));
    }

    [Fact]
    public async Task A_model_over_the_limit_is_refused_with_its_size_and_no_shard_is_set_up()
    {
        var name = Tables.UniqueName("toolarge");
        var model = fixture.Grains.GetGrain<IModelGrain>(name);
        // Adam keeps 2 slots: 262,144 values x 4 bytes x (1 + 2) = 3,145,728 bytes, 3 MiB.
        var spec = new ModelSpec { Name = name, Tables = [Table(OptimizerSpec.Adam(0.001f))] };

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => model.Create(spec));

        Assert.Equal(ErrorCode.ModelTooLarge, error.Code);
        Assert.Contains("3,145,728 bytes (3.0 MiB)", error.Message);
        Assert.Contains("262,144 values", error.Message);
        Assert.Contains("1,048,576 bytes (1.0 MiB)", error.Message);
        Assert.Contains("Models:MaxModelBytes", error.Message);
        Assert.Equal(ErrorCode.UnknownModel, (await Assert.ThrowsAsync<ParameterServerException>(() => model.GetSpec())).Code);
        Assert.Equal(ErrorCode.UnknownModel, (await Assert.ThrowsAsync<ParameterServerException>(() => fixture.Grains.Shard(name, "w", 0).GetInfo())).Code);
        Assert.DoesNotContain(name, await fixture.Grains.GetGrain<IModelDirectoryGrain>(0).List());
        // Refused before anything was recorded: the name is free for a model that fits.
        await model.Create(spec with { Tables = [Table(OptimizerSpec.Sgd(0.1f))] });
    }

    [Fact]
    public void Limits_that_would_refuse_every_model_or_wait_are_refused()
    {
        var validator = new ModelLimitsOptionsValidator();

        Assert.True(validator.Validate(null, new ModelLimitsOptions()).Succeeded);
        Assert.True(validator.Validate(null, new ModelLimitsOptions { MaxModelBytes = 0 }).Failed);
        Assert.True(validator.Validate(null, new ModelLimitsOptions { MaxClockWait = TimeSpan.Zero }).Failed);
        Assert.True(validator.Validate(null, new ModelLimitsOptions { MaxClockWait = TimeSpan.FromDays(30) }).Failed);
    }
}
