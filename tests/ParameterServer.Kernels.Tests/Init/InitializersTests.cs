using ParameterServer.Kernels.Init;

namespace ParameterServer.Kernels.Tests.Init;

public class InitializersTests
{
    private const int Draws = 200_000;

    [Fact]
    public void Uniform_fills_the_range_with_the_expected_mean_and_std()
    {
        var x = new float[Draws];
        Initializers.Uniform(x, 0, seed: 7, low: -0.2f, high: 0.6f);
        Assert.All(x, v => Assert.InRange(v, -0.2f, 0.6f));
        var (mean, std) = TestData.MeanAndStd(x.Select(v => (double)v));
        // U(a, b): mean (a + b) / 2 = 0.2, std (b - a) / sqrt(12) = 0.8 / 3.4641 = 0.23094; 5 standard errors
        // (sigma / sqrt(n) for the mean, sqrt((mu4 - sigma^4) / n) / (2 sigma) with mu4 = (b - a)^4 / 80 for the std).
        var sigma = 0.8 / Math.Sqrt(12);
        Assert.Equal(0.2, mean, 5 * sigma / Math.Sqrt(Draws));
        Assert.Equal(sigma, std, 5 * Math.Sqrt((Math.Pow(0.8, 4) / 80 - Math.Pow(sigma, 4)) / Draws) / (2 * sigma));
    }

    [Fact]
    public void Normal_has_the_requested_mean_and_std()
    {
        var x = new float[Draws];
        Initializers.Normal(x, 0, seed: 7, mean: 1f, std: 0.5f);
        var (mean, std) = TestData.MeanAndStd(x.Select(v => (double)v));
        // 5 standard errors: 0.5 / sqrt(n) for the mean, 0.5 / sqrt(2n) for the std.
        Assert.Equal(1, mean, 5 * 0.5 / Math.Sqrt(Draws));
        Assert.Equal(0.5, std, 5 * 0.5 / Math.Sqrt(2.0 * Draws));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(999)]
    [InlineData(4096)]
    public void Values_do_not_depend_on_how_the_range_is_split(int k)
    {
        // A shard starting at global index k fills the same values as the whole table does there.
        const int n = 5000;
        var whole = new float[n];
        var split = new float[n];
        Initializers.Uniform(whole, 0, 11, -1, 1);
        Initializers.Uniform(split.AsSpan(0, k), 0, 11, -1, 1);
        Initializers.Uniform(split.AsSpan(k), k, 11, -1, 1);
        Assert.Equal(whole, split);
        Initializers.Normal(whole, 0, 11, 0, 1);
        Initializers.Normal(split.AsSpan(0, k), 0, 11, 0, 1);
        Initializers.Normal(split.AsSpan(k), k, 11, 0, 1);
        Assert.Equal(whole, split);
    }

    [Fact]
    public void Different_seeds_give_different_tables()
    {
        var (a, b) = (new float[1000], new float[1000]);
        Initializers.Normal(a, 0, 1, 0, 1);
        Initializers.Normal(b, 0, 2, 0, 1);
        Assert.DoesNotContain(a.Zip(b), p => p.First == p.Second);
    }

    [Theory]
    [InlineData(100, 50, 0.2)]       // sqrt(6 / 150) = sqrt(0.04)
    [InlineData(3, 5, 0.8660254)]    // sqrt(6 / 8) = sqrt(0.75)
    [InlineData(784, 10, 0.0869291)] // sqrt(6 / 794) = sqrt(0.00755668)
    public void Xavier_limit_is_sqrt_of_6_over_fan_in_plus_fan_out(int fanIn, int fanOut, double expected) =>
        Assert.Equal(expected, Initializers.XavierLimit(fanIn, fanOut), 1e-6);

    [Theory]
    [InlineData(50, 0.2)]        // sqrt(2 / 50) = sqrt(0.04)
    [InlineData(8, 0.5)]         // sqrt(2 / 8) = sqrt(0.25)
    [InlineData(784, 0.0505076)] // sqrt(2 / 784) = sqrt(0.00255102)
    public void He_std_is_sqrt_of_2_over_fan_in(int fanIn, double expected) =>
        Assert.Equal(expected, Initializers.HeStd(fanIn), 1e-6);
}
