using ParameterServer.Kernels.Init;

namespace ParameterServer.Kernels.Tests.Init;

public class CounterRngTests
{
    private const int Draws = 200_000;

    [Fact]
    public void Bits_are_the_published_SplitMix64_stream()
    {
        // Vigna's splitmix64.c seeded with 0 starts 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F;
        // index i is the (i+1)-th output of that stream.
        Assert.Equal(0xE220A8397B1DCDAFUL, CounterRng.Bits(0, 0));
        Assert.Equal(0x6E789E6AA1B965F4UL, CounterRng.Bits(0, 1));
        Assert.Equal(0x06C45D188009454FUL, CounterRng.Bits(0, 2));
    }

    [Fact]
    public void Uniform_has_mean_one_half_and_variance_one_twelfth()
    {
        var (mean, std) = TestData.MeanAndStd(Enumerable.Range(0, Draws).Select(i => CounterRng.Uniform(42, (ulong)i)));
        // Standard errors for n draws of U(0, 1): sigma / sqrt(n) for the mean;
        // sqrt((mu4 - sigma^4) / n) / (2 sigma) for the std, with mu4 = 1/80 and sigma^2 = 1/12. Allow 5 of each.
        var sigma = Math.Sqrt(1.0 / 12);
        Assert.Equal(0.5, mean, 5 * sigma / Math.Sqrt(Draws));
        Assert.Equal(sigma, std, 5 * Math.Sqrt((1.0 / 80 - 1.0 / 144) / Draws) / (2 * sigma));
    }

    [Fact]
    public void Normal_has_mean_zero_and_std_one()
    {
        var (mean, std) = TestData.MeanAndStd(Enumerable.Range(0, Draws).Select(i => CounterRng.Normal(42, (ulong)i)));
        // Standard errors for N(0, 1): 1 / sqrt(n) for the mean, 1 / sqrt(2n) for the std. Allow 5 of each.
        Assert.Equal(0, mean, 5 / Math.Sqrt(Draws));
        Assert.Equal(1, std, 5 / Math.Sqrt(2.0 * Draws));
    }

    [Fact]
    public void Different_seeds_give_different_streams()
    {
        var same = 0;
        for (ulong i = 0; i < 1000; i++)
            if (CounterRng.Bits(1, i) == CounterRng.Bits(2, i)) same++;
        Assert.Equal(0, same);
    }
}
