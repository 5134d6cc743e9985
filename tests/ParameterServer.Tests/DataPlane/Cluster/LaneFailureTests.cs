using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Tests.Cluster;
using Xunit;

namespace ParameterServer.Tests.DataPlane.Cluster;

/// <summary>
/// Lanes that break: cut in the middle of a push or a pull, the transfer is repeated on a new lane and lands once; cut
/// after the data port committed a push, the client asks the shard, which answers the commit it made; a data port nobody
/// can reach sends the client to grain calls. The values are those of one SGD step each time.
/// </summary>
public sealed class LaneFailureTests(ProxiedSiloFixture fixture) : IClassFixture<ProxiedSiloFixture>
{
    // One shard of 256 x 256 floats: 256 KiB on the wire, so a cut at 128 KiB falls inside the payload.
    private static readonly TableSpec Table = new()
    {
        Name = "w", Rows = 256, Cols = 256, ShardRows = 256, Initializer = InitializerSpec.Constant(1f), Optimizer = OptimizerSpec.Sgd(0.5f),
    };

    private const int HalfTheBytes = 128 << 10;

    // An ack is a bare header: 38 bytes, no shard key, a 4-byte checksum.
    private const int AckBytes = 42;

    // g_i = (i mod 17 - 8) / 8 and w = 1 - 0.5 g: multiples of 1/16 in [0.5, 1.5], exact in float32.
    private static readonly float[] Gradient = Enumerable.Range(0, 256 * 256).Select(i => (i % 17 - 8) / 8f).ToArray();
    private static readonly float[] AfterOnePush = Gradient.Select(g => 1 - 0.5f * g).ToArray();

    [Fact]
    public async Task A_push_cut_mid_transfer_is_sent_again_on_a_new_lane_and_applied_once()
    {
        var model = await NewModel("cut-push");
        await NewLane();
        var (connections, before) = (fixture.Proxy.Connections, LaneTotals.Of(fixture.DataPort.Lanes.Counters));
        fixture.Proxy.CutUpstreamAfter = HalfTheBytes;

        await model.PushAsync("w", Gradient);

        Assert.Equal(connections + 2, fixture.Proxy.Connections);
        Assert.Equal(new LaneTotals(1, 256 << 10, 0, 0), LaneTotals.Of(fixture.DataPort.Lanes.Counters) - before);
        Assert.Equal(AfterOnePush, await PullByGrain(model));
        Assert.Equal(1, (await model.GetTableStatusAsync("w")).Shards[0].Info.UpdateCount);
        var staging = fixture.DataPort.Lanes.Staging;
        TestLaneServer.Eventually(() => staging.Pool.RentedBytes == 0, "the cut push's buffer and the committed one are back in the pool");
    }

    [Fact]
    public async Task A_push_whose_answer_is_cut_after_its_commit_is_applied_once()
    {
        var model = await NewModel("cut-answer");
        await NewLane();
        var (connections, before) = (fixture.Proxy.Connections, LaneTotals.Of(fixture.DataPort.Lanes.Counters));
        // The ack and the first bytes of the commit's answer reach the client: the data port has committed the push.
        fixture.Proxy.CutDownstreamAfter = AckBytes + 10;

        await model.PushAsync("w", Gradient);

        // Sent once, on one lane: the client learnt the outcome from the shard, not by sending again.
        Assert.Equal(connections + 1, fixture.Proxy.Connections);
        Assert.Equal(new LaneTotals(1, 256 << 10, 0, 0), LaneTotals.Of(fixture.DataPort.Lanes.Counters) - before);
        Assert.Equal(AfterOnePush, await PullByGrain(model));
        Assert.Equal(1, (await model.GetTableStatusAsync("w")).Shards[0].Info.UpdateCount);
    }

    [Fact]
    public async Task A_pull_cut_mid_transfer_is_received_again_whole()
    {
        var model = await NewModel("cut-pull");
        await model.PushAsync("w", Gradient);
        var replica = model.CreateReplica("w");
        await NewLane();
        var (connections, before) = (fixture.Proxy.Connections, LaneTotals.Of(fixture.DataPort.Lanes.Counters));
        fixture.Proxy.CutDownstreamAfter = HalfTheBytes;

        var changed = await replica.RefreshAsync();

        Assert.Equal([0], changed);
        Assert.Equal(1, replica.Version(0));
        Assert.Equal(AfterOnePush, replica.Values.ToArray());
        Assert.Equal(connections + 2, fixture.Proxy.Connections);
        // Both attempts were served whole by the silo; the proxy cut the first on its way.
        Assert.Equal(new LaneTotals(0, 0, 2, 2 * (256 << 10)), LaneTotals.Of(fixture.DataPort.Lanes.Counters) - before);
    }

    [Fact]
    public async Task A_data_port_nobody_can_reach_sends_pushes_and_pulls_to_grain_calls()
    {
        var model = await NewModel("unreachable");
        var before = LaneTotals.Of(fixture.DataPort.Lanes.Counters);
        fixture.Proxy.RefuseConnections = true;
        try
        {
            await model.PushAsync("w", Gradient);
            var values = new float[Gradient.Length];
            await model.PullAsync("w", values);

            Assert.Equal(AfterOnePush, values);
            Assert.Equal(default, LaneTotals.Of(fixture.DataPort.Lanes.Counters) - before);
        }
        finally
        {
            fixture.Proxy.RefuseConnections = false;
        }
    }

    private Task<ModelHandle> NewModel(string prefix) =>
        fixture.Client.CreateModelAsync(new ModelSpec { Name = Tables.UniqueName(prefix), Tables = [Table] });

    /// <summary>Closes the client's lane, so that its next transfer opens a new one: the one a cut applies to.</summary>
    private async Task NewLane()
    {
        fixture.Proxy.DropAll();
        await Task.Delay(50); // loopback delivers the close at once; the pause makes sure the client's socket saw it
    }

    private async Task<float[]> PullByGrain(ModelHandle model)
    {
        var reply = await fixture.Cluster.Client.GetGrain<IShardGrain>(TableLayout.ShardKey(model.Name, "w", 0)).Pull(new PullRequest { RowCount = 256 });
        var values = new float[Gradient.Length];
        PayloadCodec.Decode(reply!.Payload, TensorEncoding.Fp32, values);
        return values;
    }
}
