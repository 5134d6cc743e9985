using System.Net;
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

    [Fact]
    public void A_staging_cap_below_one_largest_buffer_is_refused()
    {
        var options = new LaneServerOptions { MaxPayloadBytes = 3 << 20, StagingCapacityBytes = 3 << 20 };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LaneServer(options, new FakeSnapshotSource(), new FakeCommitter()));

        Assert.Contains("pooled as 4194304", error.Message);
    }
}
