using ParameterServer.Kernels.Stats;

namespace ParameterServer.Kernels.Tests.Stats;

public class TensorStatsTests
{
    private delegate TensorSummary Summarizer(ReadOnlySpan<float> x);

    public static TheoryData<string> Paths => new() { nameof(TensorStats.Summarize), nameof(TensorStats.SummarizeReference) };

    private static Summarizer Path(string name) =>
        name == nameof(TensorStats.Summarize) ? TensorStats.Summarize : TensorStats.SummarizeReference;

    [Theory]
    [MemberData(nameof(Paths))]
    public void Summary_matches_values_computed_by_hand(string path)
    {
        // [3, -4, NaN, 0.5] five times (20 elements): sum of squares 5 * (9 + 16 + 0.25) = 126.25,
        // min -4, max 3, 5 NaN skipped.
        var s = Path(path)(TestData.Tile([3f, -4f, float.NaN, 0.5f], 20));
        Assert.Equal(new TensorSummary(20, 126.25, -4f, 3f, 5), s);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Infinities_reach_min_max_and_the_sum(string path)
    {
        // [1, +Inf, -Inf, 2, 0, ...] padded to 19 with zeros: 1 + Inf + Inf + 4 = Inf.
        var x = new float[19];
        (x[0], x[9], x[17], x[18]) = (1f, float.PositiveInfinity, float.NegativeInfinity, 2f);
        Assert.Equal(new TensorSummary(19, double.PositiveInfinity, float.NegativeInfinity, float.PositiveInfinity, 0), Path(path)(x));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void All_NaN_and_empty_tensors_have_NaN_min_and_max(string path)
    {
        Assert.Equal(new TensorSummary(19, 0, float.NaN, float.NaN, 19), Path(path)(TestData.Tile([float.NaN])));
        Assert.Equal(new TensorSummary(0, 0, float.NaN, float.NaN, 0), Path(path)([]));
    }

    [Theory]
    [MemberData(nameof(TestData.AwkwardLengths), MemberType = typeof(TestData))]
    public void Summarize_matches_the_scalar_loop_with_NaN_then_Inf_sprinkled(int length)
    {
        var x = TestData.Uniform(length, length, 100f);
        var rng = new Random(-length);
        for (var k = 0; k < length / 10; k++) x[rng.Next(length)] = float.NaN;
        AssertSameSummary(TensorStats.SummarizeReference(x), TensorStats.Summarize(x));
        if (length < 2) return;
        (x[rng.Next(length)], x[rng.Next(length)]) = (float.PositiveInfinity, float.NegativeInfinity);
        AssertSameSummary(TensorStats.SummarizeReference(x), TensorStats.Summarize(x));
    }

    [Fact]
    public void AllFinite_finds_one_NaN_or_Inf_at_every_position()
    {
        foreach (var bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            for (var position = 0; position < 19; position++)
            {
                var x = TestData.Uniform(position, 19, float.MaxValue);
                Assert.True(TensorStats.AllFinite(x));
                x[position] = bad;
                Assert.False(TensorStats.AllFinite(x), $"{bad} at {position}");
            }
        Assert.True(TensorStats.AllFinite([]));
    }

    private static void AssertSameSummary(TensorSummary expected, TensorSummary actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.NaNCount, actual.NaNCount);
        Assert.Equal(expected.Min, actual.Min);
        Assert.Equal(expected.Max, actual.Max);
        // Squares of floats are exact in double; only the order of the additions differs (< n * 2^-53 relative).
        if (double.IsInfinity(expected.SumOfSquares)) Assert.Equal(expected.SumOfSquares, actual.SumOfSquares);
        else Assert.Equal(expected.SumOfSquares, actual.SumOfSquares, expected.SumOfSquares * 1e-12);
    }
}
