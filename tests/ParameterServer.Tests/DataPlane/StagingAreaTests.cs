using ParameterServer.DataPlane;
using Xunit;

namespace ParameterServer.Tests.DataPlane;

public class StagingAreaTests
{
    private static readonly TimeSpan _expiry = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_token_is_taken_once_with_its_bytes()
    {
        using var staging = new StagingArea(1 << 20, _expiry);
        var token = Guid.NewGuid();
        Stage(staging, token, "m/t/0", [1, 2, 3, 4, 5], encoding: 2);

        Assert.Equal(TakeResult.Taken, staging.TryTake(token, "m/t/0", out var push));
        Assert.Equal([1, 2, 3, 4, 5], push!.Payload.ToArray());
        Assert.Equal(2, push.Encoding);
        Assert.Equal(TakeResult.UnknownToken, staging.TryTake(token, "m/t/0", out var again));
        Assert.Null(again);

        push.Dispose();
        Assert.Equal(0, staging.Pool.RentedBytes);
        Assert.Throws<ObjectDisposedException>(() => push.Payload);
    }

    [Fact]
    public void A_wrong_shard_key_is_refused_and_leaves_the_push_for_its_shard()
    {
        using var staging = new StagingArea(1 << 20, _expiry);
        var token = Guid.NewGuid();
        Stage(staging, token, "m/t/0", [7]);

        Assert.Equal(TakeResult.WrongShard, staging.TryTake(token, "m/t/1", out var wrong));
        Assert.Null(wrong);
        Assert.Equal(TakeResult.Taken, staging.TryTake(token, "m/t/0", out var right));
        right!.Dispose();
    }

    [Fact]
    public void A_duplicate_token_is_refused_and_its_buffer_returned()
    {
        using var staging = new StagingArea(1 << 20, _expiry);
        var token = Guid.NewGuid();
        Stage(staging, token, "m/t/0", [1]);
        var heldByFirst = staging.Pool.RentedBytes;

        Assert.True(staging.Pool.TryRent(1, out var second));
        Assert.False(staging.TryStage(token, "m/t/0", 0, second, 1));

        Assert.Equal(heldByFirst, staging.Pool.RentedBytes);
        Assert.Equal(1, staging.Count);
    }

    [Fact]
    public void Expired_pushes_cannot_be_taken_and_their_buffers_go_back_to_the_pool()
    {
        var clock = new ManualClock();
        using var staging = new StagingArea(1 << 20, _expiry, clock);
        var old = Guid.NewGuid();
        var young = Guid.NewGuid();
        Stage(staging, old, "m/t/0", new byte[1000]);
        clock.Advance(TimeSpan.FromSeconds(20));
        Stage(staging, young, "m/t/0", new byte[1000]);
        clock.Advance(TimeSpan.FromSeconds(10)); // old: 30 s, at its expiry; young: 10 s

        Assert.Equal(TakeResult.UnknownToken, staging.TryTake(old, "m/t/0", out _));
        Assert.Equal(1, staging.RemoveExpired());

        // 1000 bytes are pooled as 1024: only the young push's buffer is still held.
        Assert.Equal(1024, staging.Pool.RentedBytes);
        Assert.Equal(1, staging.Count);
        Assert.Equal(TakeResult.Taken, staging.TryTake(young, "m/t/0", out var push));
        push!.Dispose();
        Assert.Equal(0, staging.Pool.RentedBytes);
    }

    [Fact]
    public void Disposing_the_area_returns_every_staged_buffer()
    {
        var staging = new StagingArea(1 << 20, _expiry);
        Stage(staging, Guid.NewGuid(), "m/t/0", new byte[100]);
        Stage(staging, Guid.NewGuid(), "m/t/1", new byte[100]);

        staging.Dispose();

        Assert.Equal(0, staging.Pool.RentedBytes);
        Assert.Equal(0, staging.Count);
    }

    private static void Stage(StagingArea staging, Guid token, string shardKey, byte[] bytes, byte encoding = 0)
    {
        Assert.True(staging.Pool.TryRent(bytes.Length, out var buffer));
        bytes.CopyTo(buffer, 0);
        Assert.True(staging.TryStage(token, shardKey, encoding, buffer, bytes.Length));
    }
}
