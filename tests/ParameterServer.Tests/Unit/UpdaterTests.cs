using ParameterServer.Contracts;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Unit;

/// <summary>The updater maps a table's optimizer and schedule onto the kernels; numbers computed by hand from the published rules.</summary>
public sealed class UpdaterTests
{
    [Fact]
    public void Sgd_follows_the_step_schedule_by_update_index()
    {
        // lr(t) = 1 * 0.5^floor(t / 1): 1, then 0.5.
        var updater = new Updater(OptimizerSpec.Sgd(1f) with { Schedule = LearningRateSchedule.StepDecay(1, 0.5f) }, 2);
        float[] w = [1, 1];

        updater.Apply(w, [1, 2], 0, step: 0);   // w = 1 - 1 * g = [0, -1]
        updater.Apply(w, [1, 2], 0, step: 1);   // w -= 0.5 * g: [-0.5, -2]

        Assert.Equal([-0.5f, -2f], w);
        Assert.Empty(updater.Slots);
    }

    [Theory]
    [InlineData(false, -1.5f)]  // b = 1, w = 1 - 1 = 0; b = 0.5 + 1 = 1.5, w = 0 - 1.5.
    [InlineData(true, -2.25f)]  // b = 1, w = 1 - (1 + 0.5) = -0.5; b = 1.5, w = -0.5 - (1 + 0.75).
    public void Momentum_keeps_its_buffer_between_updates(bool nesterov, float expected)
    {
        var updater = new Updater(OptimizerSpec.WithMomentum(1f, 0.5f, nesterov), 1);
        float[] w = [1];

        updater.Apply(w, [1], 0, 0);
        updater.Apply(w, [1], 0, 1);

        Assert.Equal(expected, w[0], 1e-6);
    }

    [Fact]
    public void Adagrad_starts_from_the_initial_accumulator()
    {
        // s = 4 + 2^2 = 8; w = 1 - 1 * 2 / sqrt(8) = 1 - 0.70710678.
        var updater = new Updater(OptimizerSpec.Adagrad(1f) with { InitialAccumulator = 4f }, 1);
        float[] w = [1];

        updater.Apply(w, [2], 0, 0);

        Assert.Equal(0.29289322, w[0], 1e-6);
        Assert.Equal(8f, updater.Slots[0][0]);
    }

    // A constant gradient g: m_t / (1 - b1^t) = g and v_t / (1 - b2^t) = g^2 only when t counts from 1, so each
    // step moves w by lr (eps aside). Adam: 1 - 0.1 - 0.1 = 0.8.
    // AdamW first decays w by 1 - lr wd = 0.95: (1 * 0.95 - 0.1) * 0.95 - 0.1 = 0.7075.
    [Theory]
    [InlineData(OptimizerKind.Adam, 0.8)]
    [InlineData(OptimizerKind.AdamW, 0.7075)]
    public void Adam_bias_correction_counts_steps_from_one(OptimizerKind kind, double expected)
    {
        var spec = kind == OptimizerKind.Adam ? OptimizerSpec.Adam(0.1f) : OptimizerSpec.AdamW(0.1f, weightDecay: 0.5f);
        var updater = new Updater(spec, 1);
        float[] w = [1];

        updater.Apply(w, [3], 0, 0);
        updater.Apply(w, [3], 0, 1);

        Assert.Equal(expected, w[0], 1e-6);
    }

    [Fact]
    public void Update_of_a_row_range_touches_only_its_values_and_slots()
    {
        var updater = new Updater(OptimizerSpec.WithMomentum(1f, 0.5f), 6);
        float[] w = [1, 1, 1, 1, 1, 1];

        updater.Apply(w, [2, 3], offset: 2, step: 0);

        Assert.Equal([1f, 1f, -1f, -2f, 1f, 1f], w);
        Assert.Equal([0f, 0f, 2f, 3f, 0f, 0f], updater.Slots[0]);
    }

    [Fact]
    public void Restored_slots_must_fit_the_optimizer()
    {
        var error = Assert.Throws<ParameterServerException>(() => new Updater(OptimizerSpec.Adam(0.1f), [new float[4]], 4));

        Assert.Equal(ErrorCode.CorruptCheckpoint, error.Code);
    }
}
