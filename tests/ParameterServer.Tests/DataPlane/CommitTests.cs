using Microsoft.Extensions.Logging;
using ParameterServer.DataPlane;
using Xunit;

namespace ParameterServer.Tests.DataPlane;

/// <summary>
/// A push with its commit right behind it on the lane: the committer screens the bytes as they arrive, then commits
/// them and its answer goes back; a commit the server cannot pass on is refused and the lane goes on; a lane that breaks
/// once the commit went out leaves the push unconfirmed, named by its token.
/// </summary>
public class CommitTests
{
    private static readonly byte[] _commit = [7, 8, 9];

    // An ack is a bare header: 38 bytes, no shard key, a 4-byte checksum.
    private const int AckBytes = 42;

    [Fact]
    public async Task A_push_and_its_commit_take_one_exchange_and_answer_what_the_committer_wrote()
    {
        await using var server = TestLaneServer.Start();
        using var client = new LaneClient();

        var answer = await client.PushAndCommitAsync(server.Endpoint, "m/t/0", 0, new byte[] { 3, 1, 4, 1, 5 }, _commit);

        // The fake's answer: the staged payload's length (5, int32 little-endian), then the commit's bytes.
        Assert.Equal([5, 0, 0, 0, 7, 8, 9], answer);
        Assert.Equal(1, server.Committer.Commits);
        Assert.Equal(0, server.Staging.Count);
        Assert.Equal(0, server.Staging.Pool.RentedBytes);
    }

    [Fact]
    public async Task A_push_is_screened_piece_by_piece_as_it_arrives_and_staged_as_screened_when_every_byte_passed()
    {
        await using var server = TestLaneServer.Start();
        using var client = new LaneClient();
        // 4 MiB with no 0xFF byte, which the fake's screen would refuse: it arrives in many pieces.
        var payload = Enumerable.Range(0, 4 << 20).Select(i => (byte)(i % 255)).ToArray();

        var token = await client.SendPushAsync(server.Endpoint, "m/t/0", 0, payload);

        Assert.Equal(TakeResult.Taken, server.Staging.TryTake(token, "m/t/0", out var push));
        using (push)
            Assert.True(push!.Screened);
        Assert.True(server.Committer.Pieces > 1, $"{server.Committer.Pieces} piece(s)");
        // Every byte passed the screen once, in order, however the pieces were cut.
        Assert.Equal(payload, server.Committer.Screened);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3, 0xFF }, "a value the screen refuses")]
    [InlineData(new byte[] { 1, 2, 3 }, "a last byte that is no whole value")]
    public async Task A_push_with_bytes_the_screen_did_not_pass_is_staged_unscreened_for_its_commit_to_check(byte[] payload, string what)
    {
        await using var server = TestLaneServer.Start();
        using var client = new LaneClient();

        var token = await client.SendPushAsync(server.Endpoint, "m/t/0", 0, payload);

        Assert.Equal(TakeResult.Taken, server.Staging.TryTake(token, "m/t/0", out var push));
        using (push)
            Assert.False(push!.Screened, what);
    }

    [Fact]
    public async Task A_commit_for_a_token_not_staged_is_refused_without_the_committer_and_the_lane_goes_on()
    {
        await using var server = TestLaneServer.Start();
        using var lane = await RawLane.ConnectAsync(server.Endpoint);
        var token = Guid.NewGuid();

        await lane.SendAsync(RawLane.Header(RawLane.Commit, token, "m/t/0", 3), _commit);
        var error = await lane.ReadAsync();

        Assert.Equal((RawLane.Error, (byte)LaneError.UnknownToken, token), (error!.Kind, error.Code, error.Token));
        Assert.Contains($"no push is staged under token {token} for shard m/t/0", error.Message);
        Assert.Equal(0, server.Committer.Commits);
        await AssertPushCommitsOnAsync(lane, server);
    }

    [Fact]
    public async Task A_commit_staged_for_another_shard_is_refused_and_the_push_stays_staged()
    {
        await using var server = TestLaneServer.Start();
        using var lane = await RawLane.ConnectAsync(server.Endpoint);
        var token = Guid.NewGuid();
        await lane.SendAsync(RawLane.Header(RawLane.PushData, token, "m/t/0", 2), [1, 2]);
        Assert.Equal(RawLane.Ack, (await lane.ReadAsync())!.Kind);

        await lane.SendAsync(RawLane.Header(RawLane.Commit, token, "m/t/1", 3), _commit);
        var error = await lane.ReadAsync();

        Assert.Equal((RawLane.Error, (byte)LaneError.UnknownToken), (error!.Kind, error.Code));
        Assert.Equal(0, server.Committer.Commits);
        Assert.True(server.Staging.Holds(token, "m/t/0"));
    }

    [Fact]
    public async Task A_commit_over_the_bound_is_refused_and_the_lane_goes_on()
    {
        await using var server = TestLaneServer.Start();
        using var lane = await RawLane.ConnectAsync(server.Endpoint);

        await lane.SendAsync(RawLane.Header(RawLane.Commit, Guid.NewGuid(), "m/t/0", FrameHeader.MaxCommitBytes + 1), new byte[FrameHeader.MaxCommitBytes + 1]);
        var error = await lane.ReadAsync();

        Assert.Equal((RawLane.Error, (byte)LaneError.Refused), (error!.Kind, error.Code));
        Assert.Contains("a commit carries at most 4096 bytes, this one 4097", error.Message);
        Assert.True(server.Log.Contains(LogLevel.Warning, "a commit carries at most 4096 bytes"));
        await AssertPushCommitsOnAsync(lane, server);
    }

    [Fact]
    public async Task A_push_refused_as_busy_has_its_commit_refused_too_and_both_answers_keep_the_lane_in_step()
    {
        // A cap of one 1 MiB buffer, held by a push nobody commits.
        await using var server = TestLaneServer.Start(o => (o.MaxPayloadBytes, o.StagingCapacityBytes) = (1 << 20, 1 << 20));
        using var lane = await RawLane.ConnectAsync(server.Endpoint);
        await lane.SendAsync(RawLane.Header(RawLane.PushData, Guid.NewGuid(), "m/t/0", 1 << 20), new byte[1 << 20]);
        Assert.Equal(RawLane.Ack, (await lane.ReadAsync())!.Kind);
        var token = Guid.NewGuid();

        await lane.SendAsync(RawLane.Header(RawLane.PushData, token, "m/t/0", 100), new byte[100], RawLane.Header(RawLane.Commit, token, "m/t/0", 3), _commit);
        var (push, commit) = (await lane.ReadAsync(), await lane.ReadAsync());

        Assert.Equal((RawLane.Error, (byte)LaneError.Busy, token), (push!.Kind, push.Code, push.Token));
        Assert.Equal((RawLane.Error, (byte)LaneError.UnknownToken, token), (commit!.Kind, commit.Code, commit.Token));
        Assert.Equal(0, server.Committer.Commits);
    }

    [Fact]
    public async Task A_client_whose_pushes_are_refused_as_busy_gives_up_after_its_attempts_with_nothing_committed()
    {
        await using var server = TestLaneServer.Start(o => (o.MaxPayloadBytes, o.StagingCapacityBytes) = (1 << 20, 1 << 20));
        using var client = new LaneClient(new LaneClientOptions { MaxAttempts = 2, RetryBackoff = TimeSpan.FromMilliseconds(1) });
        await client.SendPushAsync(server.Endpoint, "m/t/0", 0, new byte[1 << 20]);

        var error = await Assert.ThrowsAsync<LaneException>(() => client.PushAndCommitAsync(server.Endpoint, "m/t/0", 0, new byte[100], _commit));

        Assert.Equal(LaneError.Unavailable, error.Code);
        Assert.Contains("staging is full", error.Message);
        Assert.Equal(0, server.Committer.Commits);
    }

    [Fact]
    public async Task A_committer_that_fails_leaves_the_push_unconfirmed_and_names_its_token()
    {
        await using var server = TestLaneServer.Start();
        server.Committer.Failure = new TimeoutException("the grain call timed out");
        using var client = new LaneClient();

        var error = await Assert.ThrowsAsync<LaneException>(() => client.PushAndCommitAsync(server.Endpoint, "m/t/0", 0, new byte[10], _commit));

        Assert.Equal(LaneError.Unconfirmed, error.Code);
        Assert.NotEqual(Guid.Empty, error.Token);
        Assert.Contains("the grain call timed out", error.Message);
        Assert.True(server.Log.Contains(LogLevel.Error, $"Commit of push {error.Token} to shard m/t/0 failed"));
    }

    [Fact]
    public async Task A_lane_cut_after_the_commit_was_answered_in_part_leaves_the_push_unconfirmed_and_not_sent_again()
    {
        await using var server = TestLaneServer.Start();
        // The ack and 10 bytes of the commit's answer reach the client: the commit happened.
        await using var proxy = new LoopbackProxy(server.Endpoint) { CutDownstreamAfter = AckBytes + 10 };
        using var client = new LaneClient(new LaneClientOptions { RetryBackoff = TimeSpan.FromMilliseconds(1) });

        var error = await Assert.ThrowsAsync<LaneException>(() => client.PushAndCommitAsync(proxy.Endpoint, "m/t/0", 0, new byte[10], _commit));

        Assert.Equal(LaneError.Unconfirmed, error.Code);
        Assert.NotEqual(Guid.Empty, error.Token);
        Assert.Equal(1, server.Committer.Commits);
        Assert.Equal(1, proxy.Connections);
    }

    [Fact]
    public async Task A_lane_cut_inside_the_pushed_bytes_leaves_the_push_unconfirmed_with_nothing_staged_or_committed()
    {
        await using var server = TestLaneServer.Start();
        // The push's frame is 47 header bytes ("m/t/0") and 10 payload bytes, sent in one piece: the cut falls inside the payload.
        await using var proxy = new LoopbackProxy(server.Endpoint) { CutUpstreamAfter = 50 };
        using var client = new LaneClient(new LaneClientOptions { RetryBackoff = TimeSpan.FromMilliseconds(1) });

        var error = await Assert.ThrowsAsync<LaneException>(() => client.PushAndCommitAsync(proxy.Endpoint, "m/t/0", 0, new byte[10], _commit));

        // The client cannot tell how much arrived: it names the token, and the shard side knows nothing of it.
        Assert.Equal(LaneError.Unconfirmed, error.Code);
        Assert.Equal(0, server.Committer.Commits);
        TestLaneServer.Eventually(() => server.Staging.Pool.RentedBytes == 0, "the cut push's buffer is back in the pool");
        Assert.Equal(0, server.Staging.Count);
    }

    /// <summary>The lane still carries a push with its commit, answered in order.</summary>
    private static async Task AssertPushCommitsOnAsync(RawLane lane, TestLaneServer server)
    {
        var token = Guid.NewGuid();
        await lane.SendAsync(RawLane.Header(RawLane.PushData, token, "m/t/0", 2), [1, 2], RawLane.Header(RawLane.Commit, token, "m/t/0", 3), _commit);
        var (ack, committed) = (await lane.ReadAsync(), await lane.ReadAsync());
        Assert.Equal((RawLane.Ack, token), (ack!.Kind, ack.Token));
        Assert.Equal((RawLane.Committed, token), (committed!.Kind, committed.Token));
        Assert.Equal([2, 0, 0, 0, 7, 8, 9], committed.Payload);
        Assert.Equal(1, server.Committer.Commits);
    }
}
