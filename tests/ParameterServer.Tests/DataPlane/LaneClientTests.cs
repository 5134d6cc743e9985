using ParameterServer.DataPlane;
using Xunit;

namespace ParameterServer.Tests.DataPlane;

public class LaneClientTests
{
    [Fact]
    public async Task A_push_is_staged_under_the_token_it_returns()
    {
        await using var server = TestLaneServer.Start();
        using var client = new LaneClient();

        var token = await client.SendPushAsync(server.Endpoint, "m/t/0", 2, new byte[] { 3, 1, 4, 1, 5 });

        Assert.Equal(TakeResult.Taken, server.Staging.TryTake(token, "m/t/0", out var push));
        Assert.Equal([3, 1, 4, 1, 5], push!.Payload.ToArray());
        Assert.Equal(2, push.Encoding);
        push.Dispose();
    }

    [Fact]
    public async Task An_oversize_push_is_refused_before_anything_is_sent()
    {
        await using var server = TestLaneServer.Start();
        using var client = new LaneClient(new LaneClientOptions { MaxPayloadBytes = 1000 });

        var error = await Assert.ThrowsAsync<LaneException>(() => client.SendPushAsync(server.Endpoint, "m/t/0", 0, new byte[1001]));

        Assert.Equal(LaneError.TooLarge, error.Code);
        Assert.Equal(0, server.Server.LanesAccepted);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task A_push_without_a_shard_key_is_an_argument_error(string? shardKey)
    {
        await using var server = TestLaneServer.Start();
        using var client = new LaneClient();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.SendPushAsync(server.Endpoint, shardKey!, 0, new byte[1]));
    }

    [Fact]
    public async Task A_shard_key_over_the_wire_bound_is_an_argument_error()
    {
        using var client = new LaneClient();

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => client.PullAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1), new string('k', FrameHeader.MaxShardKeyBytes + 1), -1, 0, new byte[1]));

        Assert.Contains("at most 512", error.Message);
    }
}
