namespace ParameterServer.Kernels.Tests;

/// <summary>Seeded inputs and element-wise assertions shared by the kernel tests.</summary>
internal static class TestData
{
    /// <summary>Lengths around the vector width (8 floats with AVX2, 16 with AVX-512) and large odd ones.</summary>
    public static TheoryData<int> AwkwardLengths => new() { 0, 1, 7, 8, 9, 31, 1003, 4099 };

    /// <summary>Uniform on [-scale, scale).</summary>
    public static float[] Uniform(int seed, int length, float scale = 1)
    {
        var rng = new Random(seed);
        var x = new float[length];
        for (var i = 0; i < length; i++) x[i] = scale * (2 * rng.NextSingle() - 1);
        return x;
    }

    /// <summary>Uniform on [0, scale).</summary>
    public static float[] Positive(int seed, int length, float scale = 1)
    {
        var rng = new Random(seed);
        var x = new float[length];
        for (var i = 0; i < length; i++) x[i] = scale * rng.NextSingle();
        return x;
    }

    /// <summary>
    /// <paramref name="pattern"/> repeated to <paramref name="length"/>, so that a few hand-computed elements
    /// pass through both the vector loop and the scalar tail.
    /// </summary>
    public static float[] Tile(float[] pattern, int length = 19)
    {
        var x = new float[length];
        for (var i = 0; i < length; i++) x[i] = pattern[i % pattern.Length];
        return x;
    }

    public static void AssertBitwiseEqual(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToUInt32Bits(expected[i]) != BitConverter.SingleToUInt32Bits(actual[i]))
                Assert.Fail($"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    /// <summary>Element i of <paramref name="actual"/> is within <paramref name="tolerance"/> of pattern[i % pattern.Length].</summary>
    public static void AssertTiled(double[] pattern, float[] actual, double tolerance = 1e-6)
    {
        for (var i = 0; i < actual.Length; i++)
            if (Math.Abs(actual[i] - pattern[i % pattern.Length]) > tolerance)
                Assert.Fail($"element {i}: expected {pattern[i % pattern.Length]:R}, got {actual[i]:R}");
    }

    public static (double Mean, double Std) MeanAndStd(IEnumerable<double> draws)
    {
        double n = 0, sum = 0, sumSq = 0;
        foreach (var x in draws)
        {
            n++;
            sum += x;
            sumSq += x * x;
        }
        var mean = sum / n;
        return (mean, Math.Sqrt(sumSq / n - mean * mean));
    }
}
