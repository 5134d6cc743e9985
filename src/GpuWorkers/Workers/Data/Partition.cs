namespace ParameterServer.Workers.Data;

/// <summary>
/// The training samples of worker <see cref="Worker"/> of <see cref="Workers"/>: a contiguous slice of one seeded
/// permutation of all samples. The slices of the N workers are disjoint, cover every sample, and differ in size by
/// at most one. A partition is a pure function of (seed, workers, worker), so it can be handed to another worker.
/// Example: <c>var mine = Partition.Create(60000, workers: 2, worker: 1, seed: 7); mine.EpochOrder(epoch, order);</c>
/// </summary>
public sealed class Partition
{
    private readonly int[] _indices;
    private readonly ulong _seed;

    private Partition(int worker, int workers, ulong seed, int[] indices)
    {
        Worker = worker;
        Workers = workers;
        _seed = seed;
        _indices = indices;
    }

    public int Worker { get; }

    public int Workers { get; }

    public int Count => _indices.Length;

    /// <summary>The samples of this partition, in the order of the seeded permutation.</summary>
    public ReadOnlySpan<int> Indices => _indices;

    public static Partition Create(int sampleCount, int workers, int worker, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(workers, sampleCount, nameof(workers));
        if (worker < 0 || worker >= workers)
            throw new ArgumentOutOfRangeException(nameof(worker), $"worker {worker} is not one of 0..{workers - 1}");

        // The same permutation for every worker count, so the slices of a given N tile it exactly.
        var all = Permutation.Identity(sampleCount);
        Permutation.Shuffle(all, Permutation.Derive(seed, 0));
        var start = (int)((long)worker * sampleCount / workers);
        var end = (int)((long)(worker + 1) * sampleCount / workers);
        return new Partition(worker, workers, seed, all[start..end]);
    }

    /// <summary>
    /// Writes this partition's order for <paramref name="epoch"/> into <paramref name="order"/> (length <see cref="Count"/>):
    /// its samples shuffled by a seed derived from (seed, workers, worker, epoch).
    /// </summary>
    public void EpochOrder(int epoch, Span<int> order)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (order.Length != _indices.Length)
            throw new ArgumentException($"the order buffer holds {order.Length} entries; the partition has {_indices.Length}", nameof(order));
        _indices.CopyTo(order);
        var epochSeed = Permutation.Derive(Permutation.Derive(Permutation.Derive(_seed, 1 + (ulong)epoch), (ulong)Workers), (ulong)Worker);
        Permutation.Shuffle(order, epochSeed);
    }
}
