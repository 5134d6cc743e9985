using System.Net;
using System.Net.Sockets;
using ParameterServer.DataPlane;
using Xunit;

namespace ParameterServer.Tests.DataPlane;

public class LaneServerTests
{
    [Fact]
    public async Task A_disabled_data_port_binds_nothing()
    {
        await using var server = new LaneServer(new LaneServerOptions { Enabled = false }, new FakeSnapshotSource(), new FakeCommitter());

        server.Start();

        Assert.Null(server.Endpoint);
    }

    [Fact]
    public async Task Port_zero_picks_a_free_port_on_the_given_address()
    {
        await using var server = TestLaneServer.Start();

        Assert.Equal(IPAddress.Loopback, server.Endpoint.Address);
        Assert.NotEqual(0, server.Endpoint.Port);
    }

    [Fact]
    public async Task Disposing_the_server_closes_its_lanes_and_returns_the_staged_buffers()
    {
        var server = TestLaneServer.Start();
        using var lane = await RawLane.ConnectAsync(server.Endpoint);
        await lane.SendAsync(RawLane.Header(RawLane.PushData, Guid.NewGuid(), "m/t/0", 100), new byte[100]);
        Assert.Equal(RawLane.Ack, (await lane.ReadAsync())!.Kind);

        await server.DisposeAsync();

        Assert.Null(await lane.ReadAsync());
        Assert.Equal(0, server.Staging.Pool.RentedBytes);
    }

    [Fact]
    public async Task A_frame_that_stalls_is_given_up_after_the_frame_timeout_and_its_buffer_returned()
    {
        await using var server = TestLaneServer.Start(o => o.FrameTimeout = TimeSpan.FromMilliseconds(200));
        using var lane = await RawLane.ConnectAsync(server.Endpoint);

        await lane.SendAsync(RawLane.Header(RawLane.PushData, Guid.NewGuid(), "m/t/0", 1000), new byte[10]);
        TestLaneServer.Eventually(() => server.Staging.Pool.RentedBytes == 1024, "the stalled push holds its buffer");

        Assert.Null(await lane.ReadAsync());
        Assert.Equal(0, server.Staging.Pool.RentedBytes);
        Assert.True(server.Log.Contains(Microsoft.Extensions.Logging.LogLevel.Warning, "a frame took longer than"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(40)] // the 38-byte prefix and 2 bytes of the shard key
    public async Task A_header_that_stalls_half_way_is_given_up_after_the_frame_timeout(int sent)
    {
        await using var server = TestLaneServer.Start(o => o.FrameTimeout = TimeSpan.FromMilliseconds(200));
        using var stalled = await RawLane.ConnectAsync(server.Endpoint);
        using var idle = await RawLane.ConnectAsync(server.Endpoint);

        await stalled.SendAsync(RawLane.Header(RawLane.PushData, Guid.NewGuid(), "m/t/0", 1000)[..sent]);

        // Closed by the server, without an answer (a TimeoutException here: the lane was held open).
        Assert.Null(await stalled.ReadAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(server.Log.Contains(Microsoft.Extensions.Logging.LogLevel.Warning, "a frame took longer than"));
        // A lane that sent nothing is idle between frames, not stalled in one: it stays open and serves.
        var token = Guid.NewGuid();
        await idle.SendAsync(RawLane.Header(RawLane.PushData, token, "m/t/0", 2), [1, 2]);
        var ack = await idle.ReadAsync();
        Assert.Equal((RawLane.Ack, token), (ack!.Kind, ack.Token));
    }

    [Fact]
    public async Task Past_the_lane_cap_a_connection_is_closed_and_logged_and_a_lane_that_closes_makes_room()
    {
        await using var server = TestLaneServer.Start(o => o.MaxLanes = 2);
        using var first = await RawLane.ConnectAsync(server.Endpoint);
        var second = await RawLane.ConnectAsync(server.Endpoint);
        await AssertServedAsync(first);
        await AssertServedAsync(second);

        using var third = await RawLane.ConnectAsync(server.Endpoint);

        // Closed by the server without a word (a TimeoutException here: it was held open).
        Assert.Null(await third.ReadAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(server.Log.Contains(Microsoft.Extensions.Logging.LogLevel.Warning, "refused: 2 lanes are open, the most it serves"));
        Assert.Equal(2, server.Server.LanesAccepted);
        await AssertServedAsync(first);

        second.Dispose();
        // Once the server has seen the second lane close, a new one is served in its place.
        for (var tries = 1; !await IsServedAsync(server); tries++)
        {
            Assert.True(tries < 100, "no new lane was served after one of two closed");
            await Task.Delay(100);
        }
        Assert.Equal(3, server.Server.LanesAccepted);
    }

    private static async Task AssertServedAsync(RawLane lane) => Assert.True(await PushAsync(lane), "the lane's push was not acknowledged");

    /// <summary>Whether a new lane to the server gets a push acknowledged.</summary>
    private static async Task<bool> IsServedAsync(TestLaneServer server)
    {
        using var lane = await RawLane.ConnectAsync(server.Endpoint);
        try
        {
            return await PushAsync(lane);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<bool> PushAsync(RawLane lane)
    {
        var token = Guid.NewGuid();
        await lane.SendAsync(RawLane.Header(RawLane.PushData, token, "m/t/0", 2), [1, 2]);
        var reply = await lane.ReadAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return reply is not null && (reply.Kind, reply.Token) == (RawLane.Ack, token);
    }

    [Fact]
    public void A_staging_cap_below_one_largest_buffer_is_refused()
    {
        var options = new LaneServerOptions { MaxPayloadBytes = 3 << 20, StagingCapacityBytes = 3 << 20 };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LaneServer(options, new FakeSnapshotSource(), new FakeCommitter()));

        Assert.Contains("pooled as 4194304", error.Message);
    }
}
