using ParameterServer.Workers.Data;

namespace ParameterServer.Workers.Tests.Data;

public sealed class FashionMnistTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_missing_directory_says_how_to_get_the_data()
    {
        var missing = Path.Combine(_dir.Path, "nowhere");

        var e = Assert.Throws<DatasetException>(() => FashionMnist.Locate(missing));

        Assert.Contains($"the directory {missing} does not exist", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("--data DIR", e.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        WriteTinySet(_dir.Path);
        File.Delete(_dir.File("t10k-labels-idx1-ubyte.gz"));

        var e = Assert.Throws<DatasetException>(() => FashionMnist.Locate(_dir.Path));

        Assert.Contains($"{_dir.Path} has no t10k-labels-idx1-ubyte (raw or .gz)", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
    }

    [Fact]
    public void Loads_raw_and_gzip_files_from_any_directory()
    {
        WriteTinySet(_dir.Path);

        var data = FashionMnist.Load(_dir.Path);

        Assert.Equal((4, 3, 2), (data.Train.Count, data.Train.Rows, data.Train.Cols));
        Assert.Equal(new byte[] { 0, 9, 4, 9 }, data.Train.Labels.ToArray());
        Assert.Equal(new byte[] { 5, 1 }, data.Test.Labels.ToArray());
    }

    [Fact]
    public void A_label_outside_the_ten_classes_is_an_error()
    {
        WriteTinySet(_dir.Path, testLabels: [5, 10]);

        var e = Assert.Throws<DatasetException>(() => FashionMnist.Load(_dir.Path));

        Assert.Contains("t10k-labels-idx1-ubyte.gz: label 10 of item 1 is not a class 0..9", e.Message);
    }

    [SkippableFact]
    public void Loads_the_installed_dataset_with_its_published_counts_and_statistics()
    {
        Skip.IfNot(Directory.Exists(FashionMnist.DefaultDirectory),
            $"{FashionMnist.DefaultDirectory} is absent (apt-get install dataset-fashion-mnist)");

        var data = FashionMnist.Load();

        // Xiao et al. 2017: 60,000 training and 10,000 test images of 28 x 28, 6,000 and 1,000 of each of 10 classes.
        Assert.Equal((60000, 28, 28), (data.Train.Count, data.Train.Rows, data.Train.Cols));
        Assert.Equal((10000, 28, 28), (data.Test.Count, data.Test.Rows, data.Test.Cols));
        Assert.All(ClassCounts(data.Train), count => Assert.Equal(6000, count));
        Assert.All(ClassCounts(data.Test), count => Assert.Equal(1000, count));

        // The training set's pixel mean and std on [0, 1] as commonly published (0.2860, 0.3530).
        var normalization = Normalization.Of(data.Train);
        Assert.Equal(0.2860, normalization.Mean, 0.0005);
        Assert.Equal(0.3530, normalization.Std, 0.0005);
    }

    private static int[] ClassCounts(LabeledImages set)
    {
        var counts = new int[FashionMnist.Classes];
        foreach (var label in set.Labels)
            counts[label]++;
        return counts;
    }

    private static void WriteTinySet(string dir, byte[]? testLabels = null)
    {
        File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte"), IdxBytes.Build([4, 3, 2], IdxBytes.Sequence(24)));
        File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte.gz"), IdxBytes.Gzip(IdxBytes.Build([4], [0, 9, 4, 9])));
        File.WriteAllBytes(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"), IdxBytes.Gzip(IdxBytes.Build([2, 3, 2], IdxBytes.Sequence(12))));
        File.WriteAllBytes(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"), IdxBytes.Gzip(IdxBytes.Build([2], testLabels ?? [5, 1])));
    }
}
