using ParameterServer.Workers.Data;

namespace ParameterServer.Workers.Tests.Data;

public sealed class PermutationTests
{
    [Fact]
    public void The_same_seed_gives_the_same_order_and_another_seed_another()
    {
        var a = Shuffled(1000, seed: 42);
        var b = Shuffled(1000, seed: 42);
        var c = Shuffled(1000, seed: 43);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(Enumerable.Range(0, 1000), a.Order());
        Assert.NotEqual(Enumerable.Range(0, 1000), a);
    }

    [Fact]
    public void Every_order_of_three_items_is_equally_likely()
    {
        // 6000 seeds over the 3! = 6 orders: 1000 each expected, binomial sd sqrt(6000 * 1/6 * 5/6) = 28.9.
        // A biased shuffle fails by far: Sattolo's variant (j < i) makes only the 2 cyclic orders, and j drawn
        // from [0, n) at every step makes some orders 8/27 * 6 = 1.8 times likelier than others.
        var counts = new Dictionary<string, int>();
        for (ulong seed = 0; seed < 6000; seed++)
        {
            var key = string.Join(",", Shuffled(3, seed));
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        Assert.Equal(6, counts.Count);
        Assert.All(counts.Values, n => Assert.InRange(n, 1000 - 150, 1000 + 150));
    }

    [Fact]
    public void Identity_counts_up_from_zero()
    {
        Assert.Equal([0, 1, 2, 3], Permutation.Identity(4));
    }

    private static int[] Shuffled(int count, ulong seed)
    {
        var items = Permutation.Identity(count);
        Permutation.Shuffle(items, seed);
        return items;
    }
}
