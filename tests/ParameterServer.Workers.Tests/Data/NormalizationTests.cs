using ParameterServer.Workers.Data;

namespace ParameterServer.Workers.Tests.Data;

public sealed class NormalizationTests
{
    [Fact]
    public void Mean_and_population_std_of_the_training_pixels_on_zero_to_one()
    {
        // Pixels 0, 51, 102, 255 are 0, 0.2, 0.4, 1.0 on [0, 1]: mean 1.6 / 4 = 0.4;
        // variance ((-0.4)^2 + (-0.2)^2 + 0^2 + 0.6^2) / 4 = (0.16 + 0.04 + 0 + 0.36) / 4 = 0.14.
        var train = new LabeledImages([0, 51, 102, 255], [3], rows: 2, cols: 2);

        var norm = Normalization.Of(train);

        Assert.Equal(0.4, norm.Mean, 1e-12);
        Assert.Equal(Math.Sqrt(0.14), norm.Std, 1e-12);
    }

    [Fact]
    public void Statistics_cover_every_image()
    {
        // Two images: all 0 and all 255, so half the pixels are 0 and half 1: mean 0.5, std 0.5.
        var train = new LabeledImages([0, 0, 255, 255], [0, 1], rows: 1, cols: 2);

        var norm = Normalization.Of(train);

        Assert.Equal(0.5, norm.Mean, 1e-12);
        Assert.Equal(0.5, norm.Std, 1e-12);
    }

    [Fact]
    public void Apply_scales_then_standardizes()
    {
        var norm = new Normalization(mean: 0.4, std: Math.Sqrt(0.14));
        var dest = new float[3];

        norm.Apply([0, 255, 102], dest);

        // (0 - 0.4) / 0.374165739 = -1.069044968; (1 - 0.4) / 0.374165739 = 1.603567451; 0.4 - 0.4 = 0.
        Assert.Equal(-1.069044968f, dest[0], 6);
        Assert.Equal(1.603567451f, dest[1], 6);
        Assert.Equal(0f, dest[2], 6);
    }

    [Fact]
    public void Constant_pixels_cannot_be_standardized()
    {
        var train = new LabeledImages([7, 7, 7, 7], [0, 1], rows: 1, cols: 2);

        var e = Assert.Throws<DatasetException>(() => Normalization.Of(train));

        Assert.Contains("cannot be standardized", e.Message);
    }

    [Theory]
    [InlineData(0.5, 0)]
    [InlineData(double.NaN, 1)]
    public void Rejects_a_std_that_is_not_positive_or_a_mean_that_is_not_finite(double mean, double std)
    {
        Assert.Throws<ArgumentException>(() => new Normalization(mean, std));
    }
}
