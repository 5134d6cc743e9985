using ParameterServer.Contracts;
using Xunit;

namespace ParameterServer.Tests.Cluster;

/// <summary>Push a gradient, pull the values: the server applied the table's optimizer, over every shard.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PushPullTests(ClusterFixture fixture)
{
    // 10 rows x 3 cols in shards of 4 rows: three shards of 4, 4 and 2 rows.
    private static TableSpec Table(OptimizerSpec optimizer) => new()
    {
        Name = "w", Rows = 10, Cols = 3, ShardRows = 4, Initializer = InitializerSpec.Constant(1f), Optimizer = optimizer,
    };

    // g_i = (i - 15) / 8: both signs, exact in bf16 and fp16.
    private static float[] Gradient(int n) => Enumerable.Range(0, n).Select(i => (i - 15) / 8f).ToArray();

    [Fact]
    public async Task Sgd_push_applies_w_minus_lr_times_g_plus_wd_w()
    {
        var table = Table(OptimizerSpec.Sgd(0.5f, weightDecay: 0.25f));
        var model = await fixture.Grains.CreateModel("sgd", ConsistencySpec.Async, table);
        var g = Gradient(30);

        var replies = await fixture.Grains.PushTable(model.Name, table, g);
        var values = await fixture.Grains.PullTable(model.Name, table);

        Assert.All(replies, r => Assert.True(r.Applied && r.Version == 1));
        // w = 1 - 0.5 (g + 0.25 * 1) = 0.875 - 0.5 g.
        for (var i = 0; i < values.Length; i++)
            Assert.Equal(0.875f - 0.5f * g[i], values[i]);
    }

    [Fact]
    public async Task AdamW_two_pushes_match_the_published_update()
    {
        const double lr = 0.1, wd = 0.5, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        var table = Table(OptimizerSpec.AdamW(0.1f, weightDecay: 0.5f));
        var model = await fixture.Grains.CreateModel("adamw", ConsistencySpec.Async, table);
        var g1 = Gradient(30);
        var g2 = g1.Select(x => 0.5f - x * x).ToArray();

        await fixture.Grains.PushTable(model.Name, table, g1);
        await fixture.Grains.PushTable(model.Name, table, g2);
        var values = await fixture.Grains.PullTable(model.Name, table);

        // Loshchilov and Hutter, with Adam's bias correction, per element in double:
        // w *= 1 - lr wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
        for (var i = 0; i < values.Length; i++)
        {
            double w = 1, m = 0, v = 0;
            var t = 0;
            foreach (double g in new[] { g1[i], g2[i] })
            {
                t++;
                w *= 1 - lr * wd;
                m = b1 * m + (1 - b1) * g;
                v = b2 * v + (1 - b2) * g * g;
                w -= lr * (m / (1 - Math.Pow(b1, t))) / (Math.Sqrt(v / (1 - Math.Pow(b2, t))) + eps);
            }
            Assert.Equal(w, values[i], 1e-5);
        }
        Assert.All(await fixture.Grains.ShardInfos(model.Name, table), s => Assert.Equal(2, s.Version));
    }

    [Theory]
    [InlineData(TensorEncoding.Bf16)]
    [InlineData(TensorEncoding.Fp16)]
    public async Task Half_precision_push_and_pull_are_decoded_to_fp32_master_weights(TensorEncoding encoding)
    {
        var table = Table(OptimizerSpec.Sgd(0.5f));
        var model = await fixture.Grains.CreateModel("half", ConsistencySpec.Async, table);
        var g = Gradient(30);

        await fixture.Grains.PushTable(model.Name, table, g, encoding);
        var reply = await fixture.Grains.Shard(model.Name, "w", 1).Pull(new PullRequest { RowOffset = 1, RowCount = 2, Encoding = encoding });

        // Rows 5 and 6 of the table are rows 1 and 2 of shard 1: elements 15..20, w = 1 - 0.5 g, all exact in 16 bits.
        var pulled = new float[6];
        PayloadCodec.Decode(reply!.Payload, encoding, pulled);
        Assert.Equal(12, reply.Payload.Length);
        Assert.Equal(Enumerable.Range(15, 6).Select(i => 1 - 0.5f * g[i]), pulled);
    }

    [Fact]
    public async Task Pull_returns_null_when_the_caller_holds_the_current_version()
    {
        var table = Table(OptimizerSpec.Sgd(0.5f));
        var model = await fixture.Grains.CreateModel("current", ConsistencySpec.Async, table);
        var shard = fixture.Grains.Shard(model.Name, "w", 0);

        var first = await shard.Pull(new PullRequest { RowCount = 4 });
        Assert.Equal(0, first!.Version);
        Assert.Null(await shard.Pull(new PullRequest { RowCount = 4, KnownVersion = 0 }));

        await fixture.Grains.PushTable(model.Name, table, Gradient(30));
        var changed = await shard.Pull(new PullRequest { RowCount = 4, KnownVersion = 0 });
        Assert.Equal(1, changed!.Version);
    }
}
