using ParameterServer.Kernels.Init;
using ParameterServer.Workers.Data;

namespace ParameterServer.Workers.Tests.Training;

/// <summary>A small labeled set for training tests: its images, their normalization, and where they come from.</summary>
internal sealed record TrainingSet(LabeledImages Train, LabeledImages Test, Normalization Normalization, string Source);

/// <summary>
/// The first training and test images of Fashion-MNIST when it is installed; otherwise a synthetic separable set of
/// the same shape (class c lights pixel rows 2c + 4 and 2c + 5 over noise), so the tests run anywhere.
/// </summary>
internal static class TrainingSets
{
    private const int Side = 28;
    private const int Classes = 10;

    private static readonly Lazy<(LabeledImages Train, LabeledImages Test, string Source)> _full = new(Load);

    public static TrainingSet Small(int train, int test)
    {
        var (fullTrain, fullTest, source) = _full.Value;
        var trainSet = First(fullTrain, train);
        return new TrainingSet(trainSet, First(fullTest, test), Normalization.Of(trainSet), $"{source}: first {train} training and {test} test images");
    }

    private static (LabeledImages, LabeledImages, string) Load()
    {
        try
        {
            var data = FashionMnist.Load();
            return (data.Train, data.Test, $"Fashion-MNIST from {FashionMnist.DefaultDirectory}");
        }
        catch (DatasetException)
        {
            return (Synthetic(10_000, seed: 1), Synthetic(2_000, seed: 2), "synthetic separable set (Fashion-MNIST is not installed)");
        }
    }

    private static LabeledImages First(LabeledImages set, int count) =>
        new(set.Pixels[..(count * set.PixelsPerImage)].ToArray(), set.Labels[..count].ToArray(), set.Rows, set.Cols);

    private static LabeledImages Synthetic(int count, ulong seed)
    {
        var pixels = new byte[count * Side * Side];
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            var label = i % Classes;
            labels[i] = (byte)label;
            var image = pixels.AsSpan(i * Side * Side, Side * Side);
            for (var p = 0; p < image.Length; p++)
            {
                var row = p / Side;
                var lit = row == 2 * label + 4 || row == 2 * label + 5;
                image[p] = (byte)((lit ? 150 : 0) + 100 * CounterRng.Uniform(seed, (ulong)(i * image.Length + p)));
            }
        }
        return new LabeledImages(pixels, labels, Side, Side);
    }
}
