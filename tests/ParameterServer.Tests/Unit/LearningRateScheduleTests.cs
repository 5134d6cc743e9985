using ParameterServer.Contracts;
using Xunit;

namespace ParameterServer.Tests.Unit;

public class LearningRateScheduleTests
{
    private const float BaseRate = 0.1f;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1_000_000)]
    public void Constant_is_the_base_rate_at_every_step(long t) =>
        Assert.Equal(BaseRate, LearningRateSchedule.Constant.At(BaseRate, t));

    [Theory]
    [InlineData(0, 0.1)]     // 0.1 * 0.5^floor(0/10)  = 0.1 * 0.5^0
    [InlineData(9, 0.1)]     // 0.1 * 0.5^floor(9/10)  = 0.1 * 0.5^0
    [InlineData(10, 0.05)]   // 0.1 * 0.5^floor(10/10) = 0.1 * 0.5^1
    [InlineData(25, 0.025)]  // 0.1 * 0.5^floor(25/10) = 0.1 * 0.5^2
    [InlineData(30, 0.0125)] // 0.1 * 0.5^floor(30/10) = 0.1 * 0.5^3
    public void Step_decay_multiplies_by_gamma_every_step_size_updates(long t, double expected) =>
        Assert.Equal(expected, LearningRateSchedule.StepDecay(10, 0.5f).At(BaseRate, t), 1e-7);

    [Theory]
    // Warm-up over 4 steps: 0.1 * (t + 1) / 4.
    [InlineData(0, 0.025)]
    [InlineData(1, 0.05)]
    [InlineData(3, 0.1)]
    // Then min + (base - min) * (1 + cos(pi * (t - 4) / (14 - 4))) / 2 with min = 0.01, base - min = 0.09:
    [InlineData(4, 0.1)]          // progress 0:   0.01 + 0.09 * (1 + 1) / 2
    [InlineData(6, 0.0914058)]    // progress 0.2: 0.01 + 0.09 * (1 + 0.8090170) / 2 = 0.01 + 0.0814058
    [InlineData(9, 0.055)]        // progress 0.5: 0.01 + 0.09 * (1 + 0) / 2
    [InlineData(12, 0.0185942)]   // progress 0.8: 0.01 + 0.09 * (1 - 0.8090170) / 2 = 0.01 + 0.0085942
    [InlineData(14, 0.01)]        // progress 1:   0.01 + 0.09 * (1 - 1) / 2
    [InlineData(100, 0.01)]       // past the end: stays at the minimum
    public void Cosine_warms_up_linearly_then_decays_to_the_minimum(long t, double expected) =>
        Assert.Equal(expected, LearningRateSchedule.CosineWithWarmup(4, 14, 0.01f).At(BaseRate, t), 1e-7);

    [Theory]
    [InlineData(0, 0.1)]    // no warm-up: starts at the base rate
    [InlineData(5, 0.05)]   // progress 0.5: (1 + 0) / 2 * 0.1
    [InlineData(10, 0.0)]   // progress 1: decayed to zero
    public void Cosine_without_warm_up_starts_at_the_base_rate(long t, double expected) =>
        Assert.Equal(expected, LearningRateSchedule.CosineWithWarmup(0, 10).At(BaseRate, t), 1e-7);
}
