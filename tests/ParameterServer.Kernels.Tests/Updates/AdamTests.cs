using ParameterServer.Kernels.Updates;

namespace ParameterServer.Kernels.Tests.Updates;

public class AdamTests
{
    private delegate void Rule(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        float lr, float beta1, float beta2, float epsilon, float weightDecay, bool decoupled, long step);

    public static TheoryData<string> Paths => new() { nameof(Adam.Apply), nameof(Adam.Reference) };

    private static Rule Path(string name) => name == nameof(Adam.Apply) ? Adam.Apply : Adam.Reference;

    private static void Step(string path, float[] w, float[] g, float[] m, float[] v, float weightDecay, bool decoupled, long step) =>
        Path(path)(w, g, m, v, 0.1f, 0.9f, 0.999f, 1e-8f, weightDecay, decoupled, step);

    [Theory]
    [MemberData(nameof(Paths))]
    public void Two_steps_with_bias_correction_match_the_rule_computed_by_hand(string path)
    {
        // lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8 (below the tolerance), w = [1, -2]:
        // step 1, g = [0.5, -1]: m = 0.1 g = [0.05, -0.1]; v = 0.001 g^2 = [0.00025, 0.001];
        //   mHat = m / 0.1 = g; vHat = v / 0.001 = g^2; w -= 0.1 * g / |g|  ->  [0.9, -1.9]
        // step 2, g = [0.25, 0.5]: m = 0.9 m + 0.1 g = [0.045 + 0.025, -0.09 + 0.05] = [0.07, -0.04];
        //   v = 0.999 v + 0.001 g^2 = [0.00024975 + 0.0000625, 0.000999 + 0.00025] = [0.00031225, 0.001249];
        //   c1 = 1 - 0.81 = 0.19; c2 = 1 - 0.998001 = 0.001999;
        //   mHat = [0.3684211, -0.2105263]; vHat = [0.1562031, 0.6248124]; sqrt(vHat) = [0.3952254, 0.7904508];
        //   w -= 0.1 * mHat / sqrt(vHat) = [0.0932180, -0.0266337]  ->  [0.8067820, -1.8733663]
        var (w, m, v) = (TestData.Tile([1f, -2f]), new float[19], new float[19]);
        Step(path, w, TestData.Tile([0.5f, -1f]), m, v, 0, false, 1);
        TestData.AssertTiled([0.9, -1.9], w);
        Step(path, w, TestData.Tile([0.25f, 0.5f]), m, v, 0, false, 2);
        TestData.AssertTiled([0.8067820, -1.8733663], w);
        TestData.AssertTiled([0.07, -0.04], m);
        // 0.999 is not exact in float: 1 - 0.999f = 0.00099998713, 1.3e-5 relative below 0.001.
        TestData.AssertTiled([0.00031225, 0.001249], v, tolerance: 3e-8);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Adam_adds_L2_weight_decay_to_the_gradient(string path)
    {
        // wd = 0.1, w = 1, g = 0.5:
        // step 1: d = 0.5 + 0.1 = 0.6; m = 0.06; v = 0.00036; mHat = 0.6; vHat = 0.36; w = 1 - 0.1 * 0.6/0.6 = 0.9
        // step 2: d = 0.5 + 0.09 = 0.59; m = 0.054 + 0.059 = 0.113; v = 0.00035964 + 0.0003481 = 0.00070774;
        //   mHat = 0.113/0.19 = 0.5947368; vHat = 0.00070774/0.001999 = 0.3540470; sqrt = 0.5950185;
        //   w = 0.9 - 0.1 * 0.5947368/0.5950185 = 0.9 - 0.0999527 = 0.8000473
        var (w, g, m, v) = (TestData.Tile([1f]), TestData.Tile([0.5f]), new float[19], new float[19]);
        Step(path, w, g, m, v, 0.1f, false, 1);
        TestData.AssertTiled([0.9], w);
        Step(path, w, g, m, v, 0.1f, false, 2);
        TestData.AssertTiled([0.8000473], w);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void AdamW_shrinks_w_apart_from_the_moments(string path)
    {
        // wd = 0.1, w = 1, g = 0.5 every step. A constant gradient gives mHat = g and vHat = g^2 at every
        // step, so the Adam step is lr * sign(g) = 0.1, after the shrink by 1 - lr * wd = 0.99:
        // step 1: w = 1 * 0.99 - 0.1 = 0.89
        // step 2: w = 0.89 * 0.99 - 0.1 = 0.8811 - 0.1 = 0.7811
        // step 3: w = 0.7811 * 0.99 - 0.1 = 0.773289 - 0.1 = 0.673289
        var (w, g, m, v) = (TestData.Tile([1f]), TestData.Tile([0.5f]), new float[19], new float[19]);
        double[] expected = [0.89, 0.7811, 0.673289];
        for (var step = 1; step <= 3; step++)
        {
            Step(path, w, g, m, v, 0.1f, true, step);
            TestData.AssertTiled([expected[step - 1]], w);
        }
        // The moments see the raw gradient only: m = 0.1 * 0.5 * (1 + 0.9 + 0.81) = 0.1355.
        TestData.AssertTiled([0.1355], m);
    }

    public static TheoryData<int, bool> LengthsAndDecoupled()
    {
        var data = new TheoryData<int, bool>();
        foreach (var length in TestData.AwkwardLengths)
        {
            data.Add(length, false);
            data.Add(length, true);
        }
        return data;
    }

    /// <summary>
    /// From the same state, m and v agree bit for bit (same float operations); w agrees within one rounding
    /// of w plus 1e-6 of the step, since Apply evaluates the bias-corrected step in float (about 6 roundings,
    /// ~4e-7 relative) where Reference uses double.
    /// </summary>
    [Theory]
    [MemberData(nameof(LengthsAndDecoupled))]
    public void Apply_matches_Reference_within_the_documented_tolerance(int length, bool decoupled)
    {
        var (w, m, v) = (TestData.Uniform(1, length), TestData.Uniform(2, length, 0.1f), TestData.Positive(3, length, 0.01f));
        foreach (var step in new long[] { 1, 2, 3, 1000 })
        {
            var g = TestData.Uniform(100 + (int)step, length);
            var (w2, m2, v2) = ((float[])w.Clone(), (float[])m.Clone(), (float[])v.Clone());
            var before = (float[])w.Clone();
            Adam.Reference(w, g, m, v, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, decoupled, step);
            Adam.Apply(w2, g, m2, v2, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, decoupled, step);
            TestData.AssertBitwiseEqual(m, m2);
            TestData.AssertBitwiseEqual(v, v2);
            for (var i = 0; i < length; i++)
            {
                var ulp = MathF.BitIncrement(Math.Abs(w[i])) - Math.Abs(w[i]);
                var tolerance = ulp + 1e-6 * Math.Abs(before[i] - w[i]);
                Assert.True(Math.Abs(w2[i] - w[i]) <= tolerance, $"step {step}, element {i}: {w2[i]:R} vs {w[i]:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Step_zero_is_refused_before_any_write(string path)
    {
        var (w, m, v) = (TestData.Uniform(1, 19), new float[19], new float[19]);
        var before = (float[])w.Clone();
        Assert.Throws<ArgumentOutOfRangeException>(() => Step(path, w, TestData.Uniform(2, 19), m, v, 0, false, 0));
        Assert.Equal(before, w);
        Assert.All(m, x => Assert.Equal(0, x));
    }
}
