using ParameterServer.Grains.Shards;
using Xunit;

namespace ParameterServer.Tests.Unit;

public sealed class CheckpointBackoffTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Delays_double_from_the_first_up_to_the_maximum()
    {
        var backoff = new CheckpointBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        var error = new IOException("store down\nstack");

        // 1, 2, 4, then 8 capped to 5, and 5 from then on.
        var delays = Enumerable.Range(0, 6).Select(_ => backoff.Failed(T0, error).TotalSeconds).ToArray();

        Assert.Equal([1.0, 2, 4, 5, 5, 5], delays);
        Assert.Equal((6, "store down"), (backoff.Failures, backoff.LastError));
    }

    [Fact]
    public void An_attempt_waits_for_the_delay_and_a_success_resets_it()
    {
        var backoff = new CheckpointBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        Assert.True(backoff.MayAttempt(T0));

        backoff.Failed(T0, new IOException("down"));
        backoff.Failed(T0, new IOException("down"));

        // Two failures at T0: the next attempt may start 2 s later.
        Assert.False(backoff.MayAttempt(T0 + TimeSpan.FromSeconds(1.999)));
        Assert.True(backoff.MayAttempt(T0 + TimeSpan.FromSeconds(2)));
        backoff.Succeeded();
        Assert.True(backoff.MayAttempt(T0));
        Assert.Equal((0, null), (backoff.Failures, backoff.LastError));
        Assert.Equal(1, backoff.Failed(T0, new IOException("down")).TotalSeconds);
    }

    [Fact]
    public void A_very_long_outage_does_not_overflow_the_delay()
    {
        var backoff = new CheckpointBackoff(TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));

        for (var i = 0; i < 200; i++)
            backoff.Failed(T0, new IOException("down"));

        Assert.Equal(TimeSpan.FromMinutes(1), backoff.Failed(T0, new IOException("down")));
    }
}
