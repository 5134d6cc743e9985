using ParameterServer.Contracts;
using ParameterServer.Kernels.Init;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Cluster;

/// <summary>A table's initial values, element (r, c) drawn at global index r * cols + c, whatever the sharding.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ShardInitializationTests(ClusterFixture fixture)
{
    private const int Rows = 7;
    private const int Cols = 5;

    public static TheoryData<InitializerKind> Kinds() => new(Enum.GetValues<InitializerKind>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Values_follow_the_initializer_at_global_indices(InitializerKind kind)
    {
        var (init, expectedAt) = Case(kind);
        // 7 rows in shards of 3: rows [0,3), [3,6), [6,7).
        var table = new TableSpec { Name = "w", Rows = Rows, Cols = Cols, ShardRows = 3, Initializer = init };
        var model = await fixture.Grains.CreateModel("init", ConsistencySpec.Async, table);

        var values = await fixture.Grains.PullTable(model.Name, table);

        for (var i = 0; i < values.Length; i++)
            Assert.Equal(expectedAt(i), values[i], 1e-6);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Values_do_not_depend_on_the_shard_size(InitializerKind kind)
    {
        var init = Case(kind).Spec;
        var sharded = new TableSpec { Name = "w", Rows = Rows, Cols = Cols, ShardRows = 2, Initializer = init };
        var whole = sharded with { ShardRows = 0 };
        var a = await fixture.Grains.CreateModel("shard2", ConsistencySpec.Async, sharded);
        var b = await fixture.Grains.CreateModel("shard1", ConsistencySpec.Async, whole);

        Assert.Equal(await fixture.Grains.PullTable(b.Name, whole), await fixture.Grains.PullTable(a.Name, sharded));
    }

    [Fact]
    public async Task Initialize_is_a_no_op_with_the_same_setup_and_a_spec_mismatch_with_another()
    {
        var table = new TableSpec { Name = "w", Rows = Rows, Cols = Cols, ShardRows = 3, Initializer = InitializerSpec.Constant(2f), Optimizer = OptimizerSpec.Sgd(1f) };
        var model = await fixture.Grains.CreateModel("reinit", ConsistencySpec.Async, table);
        var shard = fixture.Grains.Shard(model.Name, "w", 2);
        var setup = new ShardSetup { Model = model.Name, Table = table, Shard = 2, Consistency = ConsistencyMode.Async };
        // Row 6, the shard's only row: w = 2 - 1 * 1 = 1.
        await shard.Push(new PushRequest { RowCount = 1, Payload = PayloadCodec.Encode(Enumerable.Repeat(1f, Cols).ToArray(), TensorEncoding.Fp32) });

        await shard.Initialize(setup with { Table = table with { } });
        var mismatch = await Assert.ThrowsAsync<ParameterServerException>(() => shard.Initialize(setup with { Consistency = ConsistencyMode.Bsp }));
        var misaddressed = await Assert.ThrowsAsync<ParameterServerException>(() => shard.Initialize(setup with { Shard = 1 }));

        Assert.Equal((ErrorCode.SpecMismatch, ErrorCode.InvalidArgument), (mismatch.Code, misaddressed.Code));
        Assert.Equal(1, (await shard.GetInfo()).Version);
        Assert.All((await fixture.Grains.PullTable(model.Name, table))[(6 * Cols)..], v => Assert.Equal(1f, v));
    }

    // Expected value of element i from the published definitions, drawn from the counter-based generator.
    private static (InitializerSpec Spec, Func<int, double> ExpectedAt) Case(InitializerKind kind) => kind switch
    {
        InitializerKind.Zeros => (InitializerSpec.Zeros, _ => 0.0),
        InitializerKind.Constant => (InitializerSpec.Constant(0.75f), _ => 0.75),
        // U(-2, 3): -2 + 5 u.
        InitializerKind.Uniform => (InitializerSpec.Uniform(-2f, 3f, 42), i => -2 + 5 * CounterRng.Uniform(42, (ulong)i)),
        // N(1, 2^2): 1 + 2 z.
        InitializerKind.Normal => (InitializerSpec.Normal(1f, 2f, 7), i => 1 + 2 * CounterRng.Normal(7, (ulong)i)),
        // Glorot: l = sqrt(6 / (fan_in + fan_out)) = sqrt(6 / (5 + 7)) = sqrt(0.5); U(-l, l) = -l + 2 l u.
        InitializerKind.XavierUniform => (InitializerSpec.Xavier(9), i => -Math.Sqrt(0.5) + 2 * Math.Sqrt(0.5) * CounterRng.Uniform(9, (ulong)i)),
        // He: std = sqrt(2 / fan_in) = sqrt(2 / 5) = sqrt(0.4).
        InitializerKind.HeNormal => (InitializerSpec.He(11), i => Math.Sqrt(0.4) * CounterRng.Normal(11, (ulong)i)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
