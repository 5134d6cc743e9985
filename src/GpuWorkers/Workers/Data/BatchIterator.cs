namespace ParameterServer.Workers.Data;

/// <summary>
/// Walks a set in a given order and fills caller-owned buffers, batch after batch, with normalized pixels
/// (row-major, one image per row) and labels. Allocates nothing per batch; the last batch may be short.
/// Example: <c>var batches = new BatchIterator(train, norm, 128, order); while (batches.Next(x, y) is var n and > 0) Step(x, y, n);</c>
/// </summary>
public sealed class BatchIterator
{
    private readonly LabeledImages _set;
    private readonly Normalization _normalization;
    private readonly ReadOnlyMemory<int> _order;
    private int _position;

    /// <summary>
    /// Batches of the samples listed in <paramref name="order"/>, in that order: a partition's epoch order for
    /// training, <see cref="Permutation.Identity"/> for evaluation. The order is read as the pass goes, so one buffer
    /// can be refilled each epoch (<see cref="Partition.EpochOrder"/>) and the pass <see cref="Reset"/>.
    /// </summary>
    public BatchIterator(LabeledImages set, Normalization normalization, int batchSize, ReadOnlyMemory<int> order)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _set = set;
        _normalization = normalization;
        _order = order;
        BatchSize = batchSize;
    }

    public int BatchSize { get; }

    /// <summary>How many samples one pass visits.</summary>
    public int Samples => _order.Length;

    /// <summary>Batches in one pass, the short last one included.</summary>
    public int Steps => (Samples + BatchSize - 1) / BatchSize;

    /// <summary>Length an input buffer needs: <see cref="BatchSize"/> rows of one image each.</summary>
    public int InputLength => BatchSize * _set.PixelsPerImage;

    /// <summary>
    /// Fills the next batch into <paramref name="inputs"/> (at least <see cref="InputLength"/> floats) and
    /// <paramref name="labels"/> (at least <see cref="BatchSize"/>); returns its number of rows, 0 once the pass is over.
    /// </summary>
    public int Next(Span<float> inputs, Span<int> labels)
    {
        if (inputs.Length < InputLength || labels.Length < BatchSize)
            throw new ArgumentException($"a batch needs {InputLength} inputs and {BatchSize} labels; the buffers hold {inputs.Length} and {labels.Length}");
        var rows = Math.Min(BatchSize, Samples - _position);
        var width = _set.PixelsPerImage;
        var order = _order.Span;
        var setLabels = _set.Labels;
        for (var r = 0; r < rows; r++)
        {
            var sample = order[_position + r];
            _normalization.Apply(_set.Image(sample), inputs.Slice(r * width, width));
            labels[r] = setLabels[sample];
        }
        _position += rows;
        return rows;
    }

    /// <summary>Starts the pass again from its first sample.</summary>
    public void Reset() => _position = 0;

    /// <summary>Goes to batch <paramref name="batch"/> (0-based) of the pass: the next <see cref="Next"/> fills it.</summary>
    public void Seek(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        _position = (int)Math.Min((long)batch * BatchSize, Samples);
    }
}
