using System.Buffers;
using System.Numerics.Tensors;
using ParameterServer.Contracts;

namespace ParameterServer.Grains.Shards;

/// <summary>
/// BSP: the gradients pushed for each clock, summed per clock, until the model grain applies the clock.
/// The average divides by the number of contributors that pushed (rows a contributor did not push count as a zero
/// gradient from it), which is the gradient of their combined batch. A contributor is a push's worker id: a worker
/// that trains several data partitions pushes each one's gradient under its own id, so the average is over batches.
/// The sums are not checkpointed, so the accumulator also says which pushes it holds: a checkpoint must not count them
/// as taken.
/// </summary>
public sealed class ClockAccumulator(int elements)
{
    private readonly SortedDictionary<long, Sum> _clocks = [];

    public int PendingClocks => _clocks.Count;

    /// <summary>The identities of the pushes summed and not yet applied.</summary>
    public IEnumerable<PushId> BufferedPushes
    {
        get
        {
            foreach (var sum in _clocks.Values)
            {
                foreach (var id in sum.Pushes) yield return id;
            }
        }
    }

    /// <summary>
    /// Adds push <paramref name="id"/>'s gradient for values [offset, offset + gradient.Length) to
    /// <paramref name="clock"/>'s sum; a push without an identity (<see cref="PushId.None"/>) is not listed.
    /// </summary>
    public void Add(long clock, string workerId, int offset, ReadOnlySpan<float> gradient, PushId id = default)
    {
        if (!_clocks.TryGetValue(clock, out var sum))
            _clocks[clock] = sum = new Sum(elements);
        var target = sum.Values.AsSpan(offset, gradient.Length);
        TensorPrimitives.Add(target, gradient, target);
        sum.Workers.Add(workerId);
        if (!id.IsNone) sum.Pushes.Add(id);
    }

    /// <summary>
    /// Writes the average of everything pushed for clocks up to <paramref name="clock"/> into
    /// <paramref name="average"/> and forgets it; false when nothing was pushed for those clocks.
    /// </summary>
    public bool TakeAverage(long clock, Span<float> average)
    {
        var contributions = 0;
        average.Clear();
        while (_clocks.Count > 0)
        {
            var (first, sum) = _clocks.First();
            if (first > clock) break;
            var values = sum.Values.AsSpan(0, elements);
            TensorPrimitives.Add(average, values, average);
            contributions += sum.Workers.Count;
            ArrayPool<float>.Shared.Return(sum.Values);
            _clocks.Remove(first);
        }
        if (contributions == 0) return false;
        TensorPrimitives.Divide(average, contributions, average);
        return true;
    }

    private sealed class Sum
    {
        public Sum(int elements)
        {
            Values = ArrayPool<float>.Shared.Rent(elements);
            Values.AsSpan(0, elements).Clear();
        }

        public float[] Values { get; }
        public HashSet<string> Workers { get; } = new(StringComparer.Ordinal);
        public List<PushId> Pushes { get; } = [];
    }
}
