namespace ParameterServer.Workers.Data;

/// <summary>
/// Greyscale images stored one after another, row-major, one byte per pixel, with one class label each.
/// Example: <c>var test = LabeledImages.Read("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");</c>
/// </summary>
public sealed class LabeledImages
{
    private readonly byte[] _pixels;
    private readonly byte[] _labels;

    public LabeledImages(byte[] pixels, byte[] labels, int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cols, 1);
        if (labels.Length == 0 || (long)labels.Length * rows * cols != pixels.Length)
            throw new ArgumentException($"{pixels.Length} pixels are not {labels.Length} images of {rows} x {cols}", nameof(pixels));
        _pixels = pixels;
        _labels = labels;
        Rows = rows;
        Cols = cols;
    }

    public int Count => _labels.Length;

    public int Rows { get; }

    public int Cols { get; }

    public int PixelsPerImage => Rows * Cols;

    public ReadOnlySpan<byte> Pixels => _pixels;

    public ReadOnlySpan<byte> Labels => _labels;

    public ReadOnlySpan<byte> Image(int index) => _pixels.AsSpan(index * PixelsPerImage, PixelsPerImage);

    /// <summary>Reads an IDX3 image file and the IDX1 label file that goes with it; their counts must agree.</summary>
    public static LabeledImages Read(string imagesPath, string labelsPath)
    {
        var images = IdxFile.Read(imagesPath, dimensions: 3);
        var labels = IdxFile.Read(labelsPath, dimensions: 1);
        if (images.Count != labels.Count)
            throw new DatasetException($"{imagesPath} has {images.Count} images but {labelsPath} has {labels.Count} labels");
        return new LabeledImages(images.Values, labels.Values, images.Dimensions[1], images.Dimensions[2]);
    }
}
