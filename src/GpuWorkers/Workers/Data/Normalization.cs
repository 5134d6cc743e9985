namespace ParameterServer.Workers.Data;

/// <summary>
/// Pixel normalization: x = (p / 255 - Mean) / Std, with Mean and Std of all training pixels scaled to [0, 1]
/// (computed from the data, never hard-coded). A byte has only 256 values, so each is converted once into a
/// table and a batch costs one lookup per pixel.
/// Example: <c>var norm = Normalization.Of(data.Train); norm.Apply(data.Train.Image(0), row);</c>
/// </summary>
public sealed class Normalization
{
    private readonly float[] _table = new float[256];

    public Normalization(double mean, double std)
    {
        if (!double.IsFinite(mean) || !double.IsFinite(std) || std <= 0)
            throw new ArgumentException($"normalization needs a finite mean and a positive std, not mean {mean}, std {std}");
        Mean = mean;
        Std = std;
        for (var p = 0; p < _table.Length; p++)
            _table[p] = (float)((p / 255.0 - mean) / std);
    }

    public double Mean { get; }

    public double Std { get; }

    /// <summary>Mean and population std of every pixel of <paramref name="train"/>, scaled to [0, 1].</summary>
    public static Normalization Of(LabeledImages train)
    {
        // A histogram of the 256 byte values gives exact integer sums: no rounding drift over 47 million pixels.
        Span<long> histogram = stackalloc long[256];
        histogram.Clear();
        foreach (var p in train.Pixels)
            histogram[p]++;

        Int128 n = 0, sum = 0, sumOfSquares = 0;
        for (var p = 0; p < histogram.Length; p++)
        {
            n += histogram[p];
            sum += (Int128)histogram[p] * p;
            sumOfSquares += (Int128)histogram[p] * p * p;
        }
        // Var(p) = (n * sum(p^2) - sum(p)^2) / n^2, exact in integers until the final division.
        var mean = (double)sum / (double)n / 255.0;
        var std = Math.Sqrt((double)(n * sumOfSquares - sum * sum)) / (double)n / 255.0;
        if (std == 0)
            throw new DatasetException($"every training pixel has the value {mean * 255}: the images cannot be standardized");
        return new Normalization(mean, std);
    }

    /// <summary>Writes the normalized value of each pixel into <paramref name="dest"/> (same length).</summary>
    public void Apply(ReadOnlySpan<byte> pixels, Span<float> dest)
    {
        if (dest.Length < pixels.Length)
            throw new ArgumentException($"destination holds {dest.Length} values, {pixels.Length} pixels given", nameof(dest));
        var table = _table;
        for (var i = 0; i < pixels.Length; i++)
            dest[i] = table[pixels[i]];
    }
}
