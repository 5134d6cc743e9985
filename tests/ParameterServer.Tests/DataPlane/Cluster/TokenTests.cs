using System.Net;
using System.Runtime.InteropServices;
using ParameterServer.Contracts;
using ParameterServer.DataPlane;
using ParameterServer.Tests.Client;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.DataPlane.Cluster;

/// <summary>
/// Commits by token, at the grain: a token is applied once (committed again under its push's identity, it is answered
/// from the shard's record of taken pushes), on its own shard, in the encoding it was sent in, and not after it
/// expired; every refused commit leaves the shard unchanged.
/// </summary>
[Collection(LaneClusterCollection.Name)]
public sealed class TokenTests(LaneClusterFixture fixture) : IDisposable
{
    private readonly LaneClient _lanes = new();

    public void Dispose() => _lanes.Dispose();

    [Fact]
    public async Task A_token_is_applied_once_and_committed_again_is_answered_from_the_record()
    {
        var (shard, key, endpoint) = await Shard1("token-once");
        var token = await _lanes.SendPushAsync(endpoint, key, (byte)TensorEncoding.Fp32, Bytes(SgdTable.Gradient[8..]));

        var reply = await shard.CommitPush(Commit(token));
        var again = await shard.CommitPush(Commit(token));

        Assert.Equal((1L, true), (reply.Version, reply.Applied));
        Assert.Equal(reply, again);
        Assert.Equal((1L, 1L), ((await shard.GetInfo()).Version, (await shard.GetInfo()).UpdateCount));
        Assert.Equal(SgdTable.AfterOnePush[8..], await Values(shard));
    }

    [Fact]
    public async Task A_token_committed_again_without_an_identity_is_unknown_and_not_applied_again()
    {
        var (shard, key, endpoint) = await Shard1("token-anonymous");
        var token = await _lanes.SendPushAsync(endpoint, key, (byte)TensorEncoding.Fp32, Bytes(SgdTable.Gradient[8..]));

        await shard.CommitPush(Commit(token) with { Id = PushId.None });
        var error = await Assert.ThrowsAsync<ParameterServerException>(() => shard.CommitPush(Commit(token) with { Id = PushId.None }));

        Assert.Equal(ErrorCode.UnknownToken, error.Code);
        Assert.Equal(1, (await shard.GetInfo()).UpdateCount);
        Assert.Equal(SgdTable.AfterOnePush[8..], await Values(shard));
    }

    [Fact]
    public async Task An_expired_token_commits_nothing_and_its_buffer_is_freed()
    {
        var (shard, key, endpoint) = await Shard1("token-expired");
        var staging = fixture.DataPort(fixture.Hosting(key)).Lanes.Staging;
        var token = await _lanes.SendPushAsync(endpoint, key, (byte)TensorEncoding.Fp32, Bytes(SgdTable.Gradient[8..]));
        await Task.Delay(LaneClusterFixture.TokenExpiry + TimeSpan.FromMilliseconds(200));

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => shard.CommitPush(Commit(token)));

        Assert.Equal(ErrorCode.UnknownToken, error.Code);
        Assert.Contains($"no push is staged under token {token} for shard {key}", error.Message);
        Assert.Equal(0, (await shard.GetInfo()).Version);
        Assert.All(await Values(shard), v => Assert.Equal(1f, v));
        TestLaneServer.Eventually(() => staging.Count == 0 && staging.Pool.RentedBytes == 0, "the expired push's buffer is back in the pool");
    }

    [Fact]
    public async Task A_token_committed_to_another_shard_is_refused_and_stays_for_its_own()
    {
        var (shard, key, endpoint) = await Shard1("token-shard");
        // Shard 0 on the same silo, whose staging area holds the token.
        var otherKey = TableLayout.ShardKey(key.Split('/')[0], "w", 0);
        var other = fixture.Grains.GetGrain<IShardGrain>(otherKey);
        if (fixture.Hosting(otherKey) != fixture.Hosting(key))
            await fixture.MoveAsync(otherKey, fixture.Hosting(key));
        var token = await _lanes.SendPushAsync(endpoint, key, (byte)TensorEncoding.Fp32, Bytes(SgdTable.Gradient[8..]));

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => other.CommitPush(Commit(token)));
        await shard.CommitPush(Commit(token));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Equal(0, (await other.GetInfo()).Version);
        Assert.Equal(SgdTable.AfterOnePush[8..], await Values(shard));
    }

    [Fact]
    public async Task A_committed_gradient_holding_nan_is_refused_and_changes_nothing()
    {
        var (shard, key, endpoint) = await Shard1("token-nan");
        // The data port's screen stops at the NaN, so the shard checks the push in full itself.
        var gradient = (float[])SgdTable.Gradient[8..].Clone();
        gradient[3] = float.NaN;
        var token = await _lanes.SendPushAsync(endpoint, key, (byte)TensorEncoding.Fp32, Bytes(gradient));

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => shard.CommitPush(Commit(token)));

        Assert.Equal(ErrorCode.NonFinite, error.Code);
        Assert.Equal(0, (await shard.GetInfo()).Version);
        Assert.All(await Values(shard), v => Assert.Equal(1f, v));
    }

    [Fact]
    public async Task A_commit_in_another_encoding_than_the_bytes_were_sent_in_is_refused()
    {
        var (shard, key, endpoint) = await Shard1("token-encoding");
        // 8 bytes of fp32 are also 4 values of bf16, the shard's length: only the encoding tells them apart.
        var token = await _lanes.SendPushAsync(endpoint, key, (byte)TensorEncoding.Fp32, Bytes(SgdTable.Gradient[8..10]));

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => shard.CommitPush(Commit(token) with { Encoding = TensorEncoding.Bf16 }));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Equal(0, (await shard.GetInfo()).Version);
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

    // One push per shard in each test: the same identity serves them all.
    private static readonly PushId _id = new(Guid.NewGuid(), 1);

    private static PushCommit Commit(Guid token) => new() { Id = _id, RowOffset = 0, RowCount = 2, Encoding = TensorEncoding.Fp32, Token = token };

    private static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static async Task<float[]> Values(IShardGrain shard)
    {
        var reply = await shard.Pull(new PullRequest { RowCount = 2 });
        var values = new float[4];
        PayloadCodec.Decode(reply!.Payload, TensorEncoding.Fp32, values);
        return values;
    }
}
