using System.Net;
using System.Runtime.InteropServices;
using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.DataPlane;
using ParameterServer.Tests.Client;
using Xunit;

namespace ParameterServer.Tests.DataPlane.Cluster;

/// <summary>
/// A push sent again under its identity on the data plane: committed twice (two transfers of its bytes, two tokens),
/// once on a lane and once in a grain call (the fallback), or its token committed again after the data port's commit
/// lost its answer, it is applied once and answered alike; the second transfer's buffer is freed. Values are SGD worked
/// out by hand (<see cref="SgdTable"/>).
/// </summary>
[Collection(LaneClusterCollection.Name)]
public sealed class RepeatedCommitTests(LaneClusterFixture fixture) : IDisposable
{
    // Shard 1's rows of SgdTable's gradient, g = [0.5, 0.75, -1, 3]; each SGD step takes w -= 0.5 g.
    private static readonly float[] G = SgdTable.Gradient[8..];

    private readonly LaneClient _lanes = new();

    public void Dispose() => _lanes.Dispose();

    [Fact]
    public async Task A_push_committed_twice_under_one_identity_is_applied_once_and_its_second_buffer_is_freed()
    {
        var (shard, key, endpoint) = await Shard1("commit-twice");
        var staging = fixture.DataPort(fixture.Hosting(key)).Lanes.Staging;
        var id = new PushId(Guid.NewGuid(), 1);

        var first = await shard.CommitPush(Commit(id, await Send(key, endpoint)));
        var again = await shard.CommitPush(Commit(id, await Send(key, endpoint)));

        Assert.Equal((1L, true), (first.Version, first.Applied));
        Assert.Equal(first, again);
        Assert.Equal(SgdTable.AfterOnePush[8..], await Values(shard));
        var info = await shard.GetInfo();
        Assert.Equal((1L, 1L), (info.Version, info.UpdateCount));
        TestLaneServer.Eventually(() => staging.Count == 0 && staging.Pool.RentedBytes == 0, "both transfers' buffers are back in the pool");
    }

    [Fact]
    public async Task A_push_sent_once_on_a_lane_and_once_in_a_grain_call_is_applied_once_either_way_round()
    {
        var (shard, key, endpoint) = await Shard1("commit-fallback");
        var writer = Guid.NewGuid();
        var push = new PushRequest { RowCount = 2, Payload = Bytes(G) };

        var laneFirst = await shard.CommitPush(Commit(new PushId(writer, 1), await Send(key, endpoint)));
        var callAgain = await shard.Push(push with { Id = new PushId(writer, 1) });
        var callFirst = await shard.Push(push with { Id = new PushId(writer, 2) });
        var laneAgain = await shard.CommitPush(Commit(new PushId(writer, 2), await Send(key, endpoint)));

        var values = await Values(shard);
        Assert.Equal((laneFirst, callFirst), (callAgain, laneAgain));
        Assert.Equal((1L, 2L), (laneFirst.Version, callFirst.Version));
        // Two SGD steps: w = 1 - g.
        Assert.Equal([0.5f, 0.25f, 2, -2], values);
    }

    [Fact]
    public async Task A_push_whose_commit_answer_was_lost_on_the_silo_is_committed_again_by_token_and_applied_once()
    {
        var (shard, key, model) = await Shard1Of(fixture.Client, "commit-lost-silo");
        var before = fixture.Totals();
        fixture.Commits(fixture.Hosting(key)).LoseNextAnswer();

        // Rows 4 and 5: shard 1 alone.
        await model.PushAsync("w", G, rowStart: 4);

        // The lane answered that the commit failed; the client committed the token itself and the shard, its bytes
        // taken, answered from its record: sent once (4 values of 4 bytes), applied once.
        Assert.Equal(new LaneTotals(1, 16, 0, 0), fixture.Totals() - before);
        var info = await shard.GetInfo();
        Assert.Equal((1L, 1L), (info.Version, info.UpdateCount));
        Assert.Equal(SgdTable.AfterOnePush[8..], await Values(shard));
    }

    [Fact]
    public async Task A_push_whose_commit_answers_were_lost_on_the_silo_and_the_client_is_sent_again_on_a_lane_and_applied_once()
    {
        var lost = new LostAnswers(fixture.Grains);
        await using var client = new ParameterServerClient(lost, new DataPlaneOptions { LanesPerSilo = 2 });
        var (shard, key, model) = await Shard1Of(client, "commit-lost");
        var staging = fixture.DataPort(fixture.Hosting(key)).Lanes.Staging;
        var before = fixture.Totals();
        fixture.Commits(fixture.Hosting(key)).LoseNextAnswer();
        lost.LoseNext(1);

        await model.PushAsync("w", G, rowStart: 4);

        // The client's commit of the token lost its answer too: the slice went again on a lane under its identity.
        // Sent twice (4 values of 4 bytes each time), applied once, the second transfer's buffer freed.
        Assert.Equal(1, lost.Lost);
        Assert.Equal(new LaneTotals(2, 32, 0, 0), fixture.Totals() - before);
        var info = await shard.GetInfo();
        Assert.Equal((1L, 1L), (info.Version, info.UpdateCount));
        Assert.Equal(SgdTable.AfterOnePush[8..], await Values(shard));
        TestLaneServer.Eventually(() => staging.Count == 0 && staging.Pool.RentedBytes == 0, "both transfers' buffers are back in the pool");
    }

    /// <summary>Shard 1 of a new <see cref="SgdTable"/> model made through <paramref name="client"/>, activated so that counters see only the pushes.</summary>
    private async Task<(IShardGrain Shard, string Key, ModelHandle Model)> Shard1Of(ParameterServerClient client, string prefix)
    {
        var model = await client.CreateModelAsync(SgdTable.Model(prefix, ConsistencySpec.Async));
        var key = TableLayout.ShardKey(model.Name, "w", 1);
        var shard = fixture.Grains.GetGrain<IShardGrain>(key);
        await shard.GetInfo();
        return (shard, key, model);
    }

    /// <summary>Shard 1 of a new <see cref="SgdTable"/> model (rows 4 and 5), its key and its data endpoint.</summary>
    private async Task<(IShardGrain Shard, string Key, EndPoint Endpoint)> Shard1(string prefix)
    {
        var model = await fixture.Client.CreateModelAsync(SgdTable.Model(prefix, ConsistencySpec.Async));
        var key = TableLayout.ShardKey(model.Name, "w", 1);
        var shard = fixture.Grains.GetGrain<IShardGrain>(key);
        var data = await shard.GetDataEndpoint();
        Assert.NotNull(data);
        return (shard, key, new IPEndPoint(IPAddress.Parse(data.Host), data.Port));
    }

    private Task<Guid> Send(string key, EndPoint endpoint) => _lanes.SendPushAsync(endpoint, key, (byte)TensorEncoding.Fp32, Bytes(G));

    private static PushCommit Commit(PushId id, Guid token) => new() { Id = id, RowCount = 2, Encoding = TensorEncoding.Fp32, Token = token };

    private static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static async Task<float[]> Values(IShardGrain shard)
    {
        var reply = await shard.Pull(new PullRequest { RowCount = 2 });
        var values = new float[4];
        PayloadCodec.Decode(reply!.Payload, TensorEncoding.Fp32, values);
        return values;
    }
}
