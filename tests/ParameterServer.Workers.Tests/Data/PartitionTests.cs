using ParameterServer.Workers.Data;

namespace ParameterServer.Workers.Tests.Data;

public sealed class PartitionTests
{
    [Theory]
    [InlineData(60000, 2)]
    [InlineData(1003, 4)]
    [InlineData(10, 10)]
    [InlineData(7, 1)]
    public void Partitions_are_disjoint_cover_the_set_and_are_balanced_within_one(int samples, int partitions)
    {
        var parts = Enumerable.Range(0, partitions).Select(p => Partition.Create(samples, partitions, p, seed: 5)).ToArray();

        var all = parts.SelectMany(p => p.Indices.ToArray()).ToArray();
        Assert.Equal(samples, all.Length);
        Assert.Equal(Enumerable.Range(0, samples), all.Order());
        Assert.InRange(parts.Max(p => p.Count) - parts.Min(p => p.Count), 0, 1);
    }

    [Fact]
    public void Sizes_follow_the_floor_of_i_n_over_N()
    {
        // n = 10, N = 4: boundaries floor(i * 10 / 4) = 0, 2, 5, 7, 10, so sizes 2, 3, 2, 3.
        var sizes = Enumerable.Range(0, 4).Select(p => Partition.Create(10, 4, p, seed: 1).Count);

        Assert.Equal([2, 3, 2, 3], sizes);
    }

    [Fact]
    public void A_partition_is_a_function_of_seed_count_and_index()
    {
        var here = Partition.Create(1000, 3, 1, seed: 9);
        var elsewhere = Partition.Create(1000, 3, 1, seed: 9);
        var otherSeed = Partition.Create(1000, 3, 1, seed: 10);

        Assert.Equal(here.Indices.ToArray(), elsewhere.Indices.ToArray());
        Assert.NotEqual(here.Indices.ToArray(), otherSeed.Indices.ToArray());
        Assert.Equal(Epoch(here, 4), Epoch(elsewhere, 4));
    }

    [Fact]
    public void Each_epoch_shuffles_the_same_samples_into_a_new_order()
    {
        var part = Partition.Create(1000, 2, 0, seed: 3);

        var first = Epoch(part, 0);
        var second = Epoch(part, 1);

        Assert.Equal(part.Indices.ToArray().Order(), first.Order());
        Assert.Equal(first.Order(), second.Order());
        Assert.NotEqual(first, second);
        Assert.NotEqual(part.Indices.ToArray(), first);
        Assert.Equal(first, Epoch(part, 0));
    }

    [Fact]
    public void Bad_partition_numbers_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Partition.Create(10, 2, 2, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Partition.Create(10, 2, -1, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Partition.Create(10, 0, 0, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Partition.Create(3, 4, 0, seed: 1));
        Assert.Throws<ArgumentException>(() => Partition.Create(10, 2, 0, seed: 1).EpochOrder(0, new int[4]));
    }

    private static int[] Epoch(Partition part, int epoch)
    {
        var order = new int[part.Count];
        part.EpochOrder(epoch, order);
        return order;
    }
}
