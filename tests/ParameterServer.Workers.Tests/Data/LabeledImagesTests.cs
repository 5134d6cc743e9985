using ParameterServer.Workers.Data;

namespace ParameterServer.Workers.Tests.Data;

public sealed class LabeledImagesTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Pairs_images_with_their_labels()
    {
        var pixels = IdxBytes.Sequence(3 * 2 * 2);
        File.WriteAllBytes(_dir.File("images"), IdxBytes.Build([3, 2, 2], pixels));
        File.WriteAllBytes(_dir.File("labels"), IdxBytes.Gzip(IdxBytes.Build([3], [7, 1, 4])));

        var set = LabeledImages.Read(_dir.File("images"), _dir.File("labels"));

        Assert.Equal((3, 2, 2, 4), (set.Count, set.Rows, set.Cols, set.PixelsPerImage));
        Assert.Equal(pixels[8..12], set.Image(2).ToArray());
        Assert.Equal(new byte[] { 7, 1, 4 }, set.Labels.ToArray());
    }

    [Fact]
    public void Image_and_label_counts_that_differ_are_an_error_naming_both_files()
    {
        File.WriteAllBytes(_dir.File("images"), IdxBytes.Build([3, 2, 2], IdxBytes.Sequence(12)));
        File.WriteAllBytes(_dir.File("labels"), IdxBytes.Build([2], [7, 1]));

        var e = Assert.Throws<DatasetException>(() => LabeledImages.Read(_dir.File("images"), _dir.File("labels")));

        Assert.Equal($"{_dir.File("images")} has 3 images but {_dir.File("labels")} has 2 labels", e.Message);
    }
}
