namespace ParameterServer.Workers.Data;

/// <summary>
/// One data partition's batches, addressed by epoch and step: step k of epoch e is the k-th run of batch-size samples
/// in the partition's order for e (<see cref="Partition.EpochOrder"/>), the last one possibly short. Any worker that
/// holds the partition at a given clock trains the same batch. Reshuffles when the epoch changes; allocates nothing
/// per batch.
/// Example: <c>var batches = new PartitionBatches(Partition.Create(60000, 2, 1, seed), train, norm, 128); var rows = batches.Fill(epoch, step, x, y);</c>
/// </summary>
public sealed class PartitionBatches
{
    private readonly Partition _partition;
    private readonly int[] _order;
    private readonly BatchIterator _batches;
    private int _epoch = -1;

    public PartitionBatches(Partition partition, LabeledImages set, Normalization normalization, int batchSize)
    {
        _partition = partition;
        _order = new int[partition.Count];
        _batches = new BatchIterator(set, normalization, batchSize, _order);
    }

    public int Index => _partition.Index;

    public int Samples => _partition.Count;

    /// <summary>
    /// Fills step <paramref name="step"/> of <paramref name="epoch"/> (both from 0) into the buffers, as
    /// <see cref="BatchIterator.Next"/> does; returns its rows, 0 past the partition's last batch.
    /// </summary>
    public int Fill(int epoch, int step, Span<float> inputs, Span<int> labels)
    {
        if (epoch != _epoch)
        {
            _partition.EpochOrder(epoch, _order);
            _epoch = epoch;
        }
        _batches.Seek(step);
        return _batches.Next(inputs, labels);
    }
}
