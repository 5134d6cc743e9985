using ParameterServer.Kernels.Init;

namespace ParameterServer.Workers.Data;

/// <summary>
/// Seeded shuffles: the order is a pure function of the seed (a counter-based generator, no hidden state),
/// so every process that knows the seed computes the same order.
/// Example: <c>Permutation.Shuffle(order, seed: 42);</c>
/// </summary>
public static class Permutation
{
    /// <summary>Fisher-Yates: going down from the end, position i swaps with a uniform j in [0, i].</summary>
    public static void Shuffle(Span<int> items, ulong seed)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            // The high half of bits * (i + 1) is uniform on [0, i] up to a bias of (i + 1) / 2^64.
            var j = (int)Math.BigMul(CounterRng.Bits(seed, (ulong)i), (ulong)(i + 1), out _);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>0, 1, ..., count - 1.</summary>
    public static int[] Identity(int count)
    {
        var items = new int[count];
        for (var i = 0; i < count; i++)
            items[i] = i;
        return items;
    }

    /// <summary>A seed for one use of <paramref name="seed"/> (an epoch, a worker), independent of the seeds for other uses.</summary>
    public static ulong Derive(ulong seed, ulong use) => CounterRng.Bits(seed, use);
}
