using System.Net;
using ParameterServer.DataPlane;
using Xunit;

namespace ParameterServer.Tests.DataPlane;

/// <summary>At its memory cap a lane server refuses new pushes instead of growing, and takes them again once a
/// commit gives memory back.</summary>
public class BackpressureTests
{
    // A 1,000,000-byte push is pooled as 2^20 = 1,048,576 bytes; the cap of 1.5 MiB = 1,572,864 holds one, not two.
    private const int PushBytes = 1_000_000;

    [Fact]
    public async Task A_push_past_the_cap_is_refused_as_busy_and_the_lane_goes_on()
    {
        await using var server = StartCappedServer();
        using var lane = await RawLane.ConnectAsync(server.Endpoint);
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        var third = Guid.NewGuid();

        await lane.SendAsync(RawLane.Header(RawLane.PushData, first, "m/t/0", PushBytes), new byte[PushBytes]);
        Assert.Equal(RawLane.Ack, (await lane.ReadAsync())!.Kind);
        await lane.SendAsync(RawLane.Header(RawLane.PushData, second, "m/t/0", PushBytes), new byte[PushBytes]);
        var busy = await lane.ReadAsync();

        Assert.Equal((RawLane.Error, (byte)LaneError.Busy, second), (busy!.Kind, busy.Code, busy.Token));
        Assert.Contains("staging is full (1048576 of 1572864 bytes held", busy.Message);
        Assert.Equal(1_048_576, server.Staging.Pool.RentedBytes);

        // The shard commits the first push: memory comes back and the same lane is served again.
        Assert.Equal(TakeResult.Taken, server.Staging.TryTake(first, "m/t/0", out var push));
        push!.Dispose();
        await lane.SendAsync(RawLane.Header(RawLane.PushData, third, "m/t/0", PushBytes), new byte[PushBytes]);
        var ack = await lane.ReadAsync();
        Assert.Equal((RawLane.Ack, third), (ack!.Kind, ack.Token));
    }

    [Fact]
    public async Task The_client_retries_busy_pushes_with_backoff_then_reports_the_refusal()
    {
        await using var server = StartCappedServer();
        using var client = new LaneClient(new LaneClientOptions { MaxAttempts = 3, RetryBackoff = TimeSpan.FromMilliseconds(5) });
        var endpoint = new IPEndPoint(IPAddress.Loopback, server.Endpoint.Port);
        await client.SendPushAsync(endpoint, "m/t/0", 0, new byte[PushBytes]);

        var error = await Assert.ThrowsAsync<LaneException>(() => client.SendPushAsync(endpoint, "m/t/0", 0, new byte[PushBytes]));

        Assert.Equal(LaneError.Unavailable, error.Code);
        Assert.Equal(LaneError.Busy, Assert.IsType<LaneException>(error.InnerException).Code);
        Assert.Contains("after 3 attempts", error.Message);
        Assert.Equal(1, server.Staging.Count);
        Assert.Equal(1, server.Server.LanesAccepted); // a busy refusal leaves the lane in use
    }

    private static TestLaneServer StartCappedServer() => TestLaneServer.Start(o =>
    {
        o.MaxPayloadBytes = 1 << 20;
        o.StagingCapacityBytes = 1_572_864;
    });
}
