using System.Net;
using System.Net.Sockets;
using ParameterServer.DataPlane;
using Xunit;

namespace ParameterServer.Tests.DataPlane;

/// <summary>Lanes killed mid-transfer, dropped while idle, or never reachable.</summary>
public class LaneReconnectTests
{
    private const int Payload = 4 << 20;

    [Fact]
    public async Task A_push_cut_half_way_is_retried_on_a_new_lane_and_leaves_no_partial_buffer()
    {
        await using var server = TestLaneServer.Start();
        await using var proxy = new LoopbackProxy(server.Endpoint) { CutUpstreamAfter = Payload / 2 };
        using var client = new LaneClient(new LaneClientOptions { LanesPerEndpoint = 1, RetryBackoff = TimeSpan.FromMilliseconds(5) });
        var gradient = PullTests.RandomBytes(Payload, seed: 11);

        var token = await client.SendPushAsync(proxy.Endpoint, "m/t/0", 0, gradient);

        Assert.Equal(2, proxy.Connections);
        // Only the retry's buffer is held: the cut frame's half was never staged and its buffer went back.
        TestLaneServer.Eventually(() => server.Staging.Pool.RentedBytes == Payload, "the cut frame's buffer is back in the pool");
        Assert.Equal(1, server.Staging.Count);
        Assert.Equal(TakeResult.Taken, server.Staging.TryTake(token, "m/t/0", out var push));
        Assert.True(push!.Payload.Span.SequenceEqual(gradient));
        push.Dispose();
    }

    [Fact]
    public async Task A_pull_cut_half_way_is_retried_and_lands_byte_exact()
    {
        await using var server = TestLaneServer.Start();
        var snapshot = PullTests.RandomBytes(Payload, seed: 12);
        server.Snapshots.Set("m/t/0", 9, snapshot);
        await using var proxy = new LoopbackProxy(server.Endpoint) { CutDownstreamAfter = Payload / 2 };
        using var client = new LaneClient(new LaneClientOptions { LanesPerEndpoint = 1, RetryBackoff = TimeSpan.FromMilliseconds(5) });
        var destination = new byte[Payload];

        var result = await client.PullAsync(proxy.Endpoint, "m/t/0", -1, 0, destination);

        Assert.Equal(2, proxy.Connections);
        Assert.Equal(new PullResult(true, 9, Payload), result);
        Assert.True(destination.AsSpan().SequenceEqual(snapshot));
    }

    [Fact]
    public async Task A_lane_the_server_closed_while_idle_is_replaced_without_spending_an_attempt()
    {
        await using var server = TestLaneServer.Start();
        await using var proxy = new LoopbackProxy(server.Endpoint);
        using var client = new LaneClient(new LaneClientOptions { LanesPerEndpoint = 1, MaxAttempts = 1 });
        await client.SendPushAsync(proxy.Endpoint, "m/t/0", 0, new byte[10]);

        proxy.DropAll(); // as a silo restart would
        // Loopback delivers the close at once; the pause only makes sure the client's socket has seen it.
        await Task.Delay(50);
        await client.SendPushAsync(proxy.Endpoint, "m/t/0", 0, new byte[10]);

        Assert.Equal(2, proxy.Connections);
        Assert.Equal(2, server.Staging.Count);
    }

    [Fact]
    public async Task An_endpoint_nobody_listens_on_is_unavailable_after_the_bounded_retries()
    {
        // A port bound without listening: connections to it are refused.
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var client = new LaneClient(new LaneClientOptions { MaxAttempts = 3, RetryBackoff = TimeSpan.FromMilliseconds(1) });

        var error = await Assert.ThrowsAsync<LaneException>(() => client.SendPushAsync(closed.LocalEndPoint!, "m/t/0", 0, new byte[10]));

        Assert.Equal(LaneError.Unavailable, error.Code);
        Assert.Contains("after 3 attempts", error.Message);
        Assert.IsType<SocketException>(error.InnerException);
    }
}
