using ParameterServer.Contracts;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Cluster;

/// <summary>Every refused push or pull names its reason and leaves values, versions and counters as they were.</summary>
[Collection(ClusterCollection.Name)]
public sealed class BadInputTests(ClusterFixture fixture)
{
    private static readonly TableSpec Table = new()
    {
        Name = "w", Rows = 10, Cols = 3, ShardRows = 4,
        Initializer = InitializerSpec.Uniform(-1f, 1f, 5), Optimizer = OptimizerSpec.AdamW(0.1f),
    };

    public enum Case { UnknownModel, UnknownTable, UnknownShard, WrongLength, UnknownEncoding, RowsPastEnd, NegativeRow, NaN, Inf, NaNInBf16 }

    public static TheoryData<Case, ErrorCode> Cases() => new()
    {
        { Case.UnknownModel, ErrorCode.UnknownModel },
        { Case.UnknownTable, ErrorCode.UnknownTable },
        { Case.UnknownShard, ErrorCode.UnknownShard },
        { Case.WrongLength, ErrorCode.WrongLength },
        { Case.UnknownEncoding, ErrorCode.UnknownEncoding },
        { Case.RowsPastEnd, ErrorCode.RowsOutOfRange },
        { Case.NegativeRow, ErrorCode.RowsOutOfRange },
        { Case.NaN, ErrorCode.NonFinite },
        { Case.Inf, ErrorCode.NonFinite },
        { Case.NaNInBf16, ErrorCode.NonFinite },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Refused_push_names_the_reason_and_changes_nothing(Case bad, ErrorCode expected)
    {
        var model = await fixture.Grains.CreateModel("bad", ConsistencySpec.Async, Table);
        await fixture.Grains.PushTable(model.Name, Table, Enumerable.Repeat(0.5f, 30).ToArray());
        var valuesBefore = await fixture.Grains.PullTable(model.Name, Table);
        var infosBefore = await fixture.Grains.ShardInfos(model.Name, Table);

        var (shard, request) = BadPush(model.Name, bad);
        var error = await Assert.ThrowsAsync<ParameterServerException>(() => fixture.Grains.GetGrain<IShardGrain>(shard).Push(request));

        Assert.Equal(expected, error.Code);
        Assert.Equal(valuesBefore, await fixture.Grains.PullTable(model.Name, Table));
        Assert.Equal(infosBefore.Select(Counters), (await fixture.Grains.ShardInfos(model.Name, Table)).Select(Counters));
    }

    [Theory]
    [InlineData(0, 5, TensorEncoding.Fp32, ErrorCode.RowsOutOfRange)]
    [InlineData(-1, 2, TensorEncoding.Fp32, ErrorCode.RowsOutOfRange)]
    [InlineData(0, 0, TensorEncoding.Fp32, ErrorCode.RowsOutOfRange)]
    [InlineData(0, 2, (TensorEncoding)9, ErrorCode.UnknownEncoding)]
    public async Task Refused_pull_names_the_reason(int rowOffset, int rowCount, TensorEncoding encoding, ErrorCode expected)
    {
        var model = await fixture.Grains.CreateModel("badpull", ConsistencySpec.Async, Table);
        var request = new PullRequest { RowOffset = rowOffset, RowCount = rowCount, Encoding = encoding };

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => fixture.Grains.Shard(model.Name, "w", 0).Pull(request));

        Assert.Equal(expected, error.Code);
    }

    [Fact]
    public async Task Pull_of_an_unknown_model_table_or_shard_names_which()
    {
        var model = await fixture.Grains.CreateModel("unknown", ConsistencySpec.Async, Table);
        var request = new PullRequest { RowCount = 1 };

        Assert.Equal(ErrorCode.UnknownModel, (await Assert.ThrowsAsync<ParameterServerException>(() => fixture.Grains.Shard(Tables.UniqueName("nomodel"), "w", 0).Pull(request))).Code);
        Assert.Equal(ErrorCode.UnknownTable, (await Assert.ThrowsAsync<ParameterServerException>(() => fixture.Grains.Shard(model.Name, "v", 0).Pull(request))).Code);
        Assert.Equal(ErrorCode.UnknownShard, (await Assert.ThrowsAsync<ParameterServerException>(() => fixture.Grains.Shard(model.Name, "w", 3).Pull(request))).Code);
        Assert.Equal(ErrorCode.UnknownModel, (await Assert.ThrowsAsync<ParameterServerException>(() => fixture.Grains.GetGrain<IModelGrain>(Tables.UniqueName("nomodel")).GetSpec())).Code);
    }

    [Fact]
    public async Task Refused_push_under_bsp_buffers_nothing()
    {
        var model = await fixture.Grains.CreateModel("badbsp", ConsistencySpec.Bsp, Table);
        await fixture.Grains.GetGrain<IModelGrain>(model.Name).Join("a");
        var shard = fixture.Grains.Shard(model.Name, "w", 0);
        var nan = Enumerable.Repeat(float.NaN, 12).ToArray();

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => shard.Push(new PushRequest
        {
            WorkerId = "a", Clock = 1, RowCount = 4, Payload = PayloadCodec.Encode(nan, TensorEncoding.Fp32),
        }));

        Assert.Equal(ErrorCode.NonFinite, error.Code);

        Assert.Equal(0, await shard.ApplyClock(1));
        Assert.Equal(0, (await shard.GetInfo()).UpdateCount);
    }

    private static (long Version, long UpdateCount) Counters(ShardInfo s) => (s.Version, s.UpdateCount);

    // A push of rows [0, 2) of shard 0, spoiled in one way.
    private static (string Shard, PushRequest Request) BadPush(string model, Case bad)
    {
        var gradient = Enumerable.Repeat(0.25f, 6).ToArray();
        var shard = TableLayout.ShardKey(model, "w", 0);
        var request = new PushRequest { RowOffset = 0, RowCount = 2, Payload = PayloadCodec.Encode(gradient, TensorEncoding.Fp32) };
        switch (bad)
        {
            case Case.UnknownModel: return (TableLayout.ShardKey(Tables.UniqueName("nomodel"), "w", 0), request);
            case Case.UnknownTable: return (TableLayout.ShardKey(model, "v", 0), request);
            case Case.UnknownShard: return (TableLayout.ShardKey(model, "w", 3), request);
            case Case.WrongLength: return (shard, request with { Payload = request.Payload[..^4] });
            case Case.UnknownEncoding: return (shard, request with { Encoding = (TensorEncoding)7 });
            case Case.RowsPastEnd: return (shard, request with { RowOffset = 3 });
            case Case.NegativeRow: return (shard, request with { RowOffset = -1 });
            case Case.NaN: gradient[4] = float.NaN; break;
            case Case.Inf: gradient[5] = float.NegativeInfinity; break;
            case Case.NaNInBf16:
                gradient[1] = float.NaN;
                return (shard, request with { Encoding = TensorEncoding.Bf16, Payload = PayloadCodec.Encode(gradient, TensorEncoding.Bf16) });
        }
        return (shard, request with { Payload = PayloadCodec.Encode(gradient, TensorEncoding.Fp32) });
    }
}
