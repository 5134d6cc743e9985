namespace ParameterServer.Workers.Data;

/// <summary>
/// Data partition <see cref="Index"/> of <see cref="Partitions"/>: a contiguous slice of one seeded permutation of
/// all samples. The slices are disjoint, cover every sample, and differ in size by at most one. A partition, and its
/// order in each epoch, is a pure function of (seed, partitions, index), so whichever worker the job gives it to
/// trains the same batches.
/// Example: <c>var mine = Partition.Create(60000, partitions: 2, index: 1, seed: 7); mine.EpochOrder(epoch, order);</c>
/// </summary>
public sealed class Partition
{
    private readonly int[] _indices;
    private readonly ulong _seed;

    private Partition(int index, int partitions, ulong seed, int[] indices)
    {
        Index = index;
        Partitions = partitions;
        _seed = seed;
        _indices = indices;
    }

    public int Index { get; }

    public int Partitions { get; }

    public int Count => _indices.Length;

    /// <summary>The samples of this partition, in the order of the seeded permutation.</summary>
    public ReadOnlySpan<int> Indices => _indices;

    public static Partition Create(int sampleCount, int partitions, int index, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partitions, sampleCount, nameof(partitions));
        if (index < 0 || index >= partitions)
            throw new ArgumentOutOfRangeException(nameof(index), $"partition {index} is not one of 0..{partitions - 1}");

        // The same permutation for every partition count, so the slices of a given count tile it exactly.
        var all = Permutation.Identity(sampleCount);
        Permutation.Shuffle(all, Permutation.Derive(seed, 0));
        var start = (int)((long)index * sampleCount / partitions);
        var end = (int)((long)(index + 1) * sampleCount / partitions);
        return new Partition(index, partitions, seed, all[start..end]);
    }

    /// <summary>
    /// Writes this partition's order for <paramref name="epoch"/> into <paramref name="order"/> (length <see cref="Count"/>):
    /// its samples shuffled by a seed derived from (seed, partitions, index, epoch).
    /// </summary>
    public void EpochOrder(int epoch, Span<int> order)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (order.Length != _indices.Length)
            throw new ArgumentException($"the order buffer holds {order.Length} entries; the partition has {_indices.Length}", nameof(order));
        _indices.CopyTo(order);
        var epochSeed = Permutation.Derive(Permutation.Derive(Permutation.Derive(_seed, 1 + (ulong)epoch), (ulong)Partitions), (ulong)Index);
        Permutation.Shuffle(order, epochSeed);
    }
}
