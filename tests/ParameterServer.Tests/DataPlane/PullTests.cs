using ParameterServer.DataPlane;
using Xunit;

namespace ParameterServer.Tests.DataPlane;

public class PullTests
{
    private const byte Bf16 = 1;

    [Fact]
    public async Task A_pull_lands_byte_exact_in_the_callers_buffer_and_nothing_past_it()
    {
        await using var server = TestLaneServer.Start();
        var snapshot = RandomBytes(3_000_001, seed: 7);
        server.Snapshots.Set("m/t/2", version: 41, snapshot);
        using var client = new LaneClient();
        var destination = new byte[4 << 20];
        Array.Fill(destination, (byte)0xEE);

        var result = await client.PullAsync(server.Endpoint, "m/t/2", knownVersion: -1, Bf16, destination);

        Assert.Equal(new PullResult(Modified: true, Version: 41, Length: 3_000_001), result);
        Assert.True(destination.AsSpan(0, snapshot.Length).SequenceEqual(snapshot));
        Assert.DoesNotContain(destination.AsSpan(snapshot.Length).ToArray(), b => b != 0xEE);
    }

    [Fact]
    public async Task A_pull_at_the_current_version_receives_nothing()
    {
        await using var server = TestLaneServer.Start();
        server.Snapshots.Set("m/t/2", version: 41, RandomBytes(1000, seed: 1));
        using var client = new LaneClient();
        var destination = new byte[1000];

        var result = await client.PullAsync(server.Endpoint, "m/t/2", knownVersion: 41, Bf16, destination);

        Assert.Equal(new PullResult(Modified: false, Version: 41, Length: 0), result);
        Assert.All(destination, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task A_shard_the_silo_does_not_host_is_refused_and_the_lane_is_kept()
    {
        await using var server = TestLaneServer.Start();
        server.Snapshots.Set("m/t/0", version: 1, [5, 6]);
        using var client = new LaneClient(new LaneClientOptions { LanesPerEndpoint = 1 });

        var error = await Assert.ThrowsAsync<LaneException>(() => client.PullAsync(server.Endpoint, "m/t/9", -1, Bf16, new byte[10]));
        var result = await client.PullAsync(server.Endpoint, "m/t/0", -1, Bf16, new byte[10]);

        Assert.Equal(LaneError.UnknownShard, error.Code);
        Assert.Contains("shard m/t/9 is not here", error.Message);
        Assert.Equal(2, result.Length);
        Assert.Equal(1, server.Server.LanesAccepted);
    }

    [Fact]
    public async Task A_failing_snapshot_source_is_answered_as_an_error_not_a_crash()
    {
        await using var server = TestLaneServer.Start();
        server.Snapshots.Failure = new InvalidOperationException("disk on fire");
        using var client = new LaneClient();

        var error = await Assert.ThrowsAsync<LaneException>(() => client.PullAsync(server.Endpoint, "m/t/0", -1, Bf16, new byte[10]));

        Assert.Equal(LaneError.SnapshotFailed, error.Code);
        Assert.Contains("snapshot of shard m/t/0 failed: disk on fire", error.Message);
        server.Snapshots.Failure = null;
        server.Snapshots.Set("m/t/0", 3, [1]);
        Assert.Equal(3, (await client.PullAsync(server.Endpoint, "m/t/0", -1, Bf16, new byte[10])).Version);
    }

    [Fact]
    public async Task A_snapshot_larger_than_the_destination_is_refused_and_the_next_pull_works()
    {
        await using var server = TestLaneServer.Start();
        server.Snapshots.Set("m/t/0", 5, RandomBytes(5000, seed: 3));
        using var client = new LaneClient(new LaneClientOptions { LanesPerEndpoint = 1 });

        var error = await Assert.ThrowsAsync<LaneException>(() => client.PullAsync(server.Endpoint, "m/t/0", -1, Bf16, new byte[4999]));
        var result = await client.PullAsync(server.Endpoint, "m/t/0", -1, Bf16, new byte[5000]);

        Assert.Equal(LaneError.DestinationTooSmall, error.Code);
        Assert.Contains("is 5000 bytes, the destination 4999", error.Message);
        Assert.Equal(5000, result.Length);
    }

    internal static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
