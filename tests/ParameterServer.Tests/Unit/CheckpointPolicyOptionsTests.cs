using ParameterServer.Grains.Hosting;
using Xunit;

namespace ParameterServer.Tests.Unit;

public sealed class CheckpointPolicyOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        var options = new CheckpointPolicyOptions();

        Assert.True(new CheckpointPolicyOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal((500, TimeSpan.FromSeconds(10)), (options.EveryUpdates, options.Interval));
    }

    [Theory]
    [InlineData(0, 10_000)]
    [InlineData(-5, 10_000)]
    [InlineData(100, 0)]
    [InlineData(100, -1)]
    public void Policy_that_never_writes_or_never_pauses_is_refused(int everyUpdates, int intervalMs)
    {
        var options = new CheckpointPolicyOptions { EveryUpdates = everyUpdates, Interval = TimeSpan.FromMilliseconds(intervalMs) };

        Assert.True(new CheckpointPolicyOptionsValidator().Validate(null, options).Failed);
    }

    [Theory]
    [InlineData(0, 1000)]
    [InlineData(-1, 1000)]
    [InlineData(2000, 1000)]
    public void Retry_delays_that_are_not_positive_or_exceed_their_maximum_are_refused(int retryMs, int maxRetryMs)
    {
        var options = new CheckpointPolicyOptions { RetryDelay = TimeSpan.FromMilliseconds(retryMs), MaxRetryDelay = TimeSpan.FromMilliseconds(maxRetryMs) };

        Assert.True(new CheckpointPolicyOptionsValidator().Validate(null, options).Failed);
    }
}
