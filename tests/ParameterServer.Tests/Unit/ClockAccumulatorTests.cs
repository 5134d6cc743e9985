using ParameterServer.Contracts;
using ParameterServer.Grains.Shards;
using Xunit;

namespace ParameterServer.Tests.Unit;

/// <summary>BSP buffering: per-clock sums, averaged over the workers that pushed, and the identities of the pushes held.</summary>
public sealed class ClockAccumulatorTests
{
    [Fact]
    public void Average_divides_by_the_workers_and_counts_unpushed_rows_as_zero()
    {
        var acc = new ClockAccumulator(4);
        // Worker a pushes its gradient in two row ranges; b pushes only the first two values.
        acc.Add(1, "a", 0, [2, 4]);
        acc.Add(1, "a", 2, [6, 8]);
        acc.Add(1, "b", 0, [4, 0]);
        var average = new float[4];

        Assert.True(acc.TakeAverage(1, average));

        // ([2, 4, 6, 8] + [4, 0, 0, 0]) / 2.
        Assert.Equal([3f, 2f, 3f, 4f], average);
        Assert.Equal(0, acc.PendingClocks);
    }

    [Fact]
    public void Later_clocks_stay_pending_and_earlier_ones_join_the_next_update()
    {
        var acc = new ClockAccumulator(2);
        acc.Add(2, "a", 0, [10, 10]);
        acc.Add(3, "a", 0, [1, 1]);
        acc.Add(1, "b", 0, [2, 4]);
        var average = new float[2];

        Assert.True(acc.TakeAverage(2, average));

        // Clocks 1 and 2: ([10, 10] + [2, 4]) / 2; clock 3 waits.
        Assert.Equal([6f, 7f], average);
        Assert.Equal(1, acc.PendingClocks);
        Assert.True(acc.TakeAverage(3, average));
        Assert.Equal([1f, 1f], average);
    }

    [Fact]
    public void Nothing_pushed_means_no_update()
    {
        var acc = new ClockAccumulator(2);
        acc.Add(5, "a", 0, [1, 1]);

        Assert.False(acc.TakeAverage(4, new float[2]));
        Assert.Equal(1, acc.PendingClocks);
    }

    [Fact]
    public void Buffered_pushes_are_those_of_the_clocks_not_yet_applied()
    {
        var acc = new ClockAccumulator(2);
        var (first, second) = (new PushId(Guid.NewGuid(), 1), new PushId(Guid.NewGuid(), 1));
        acc.Add(1, "a", 0, [1, 1], first);
        acc.Add(2, "a", 0, [1, 1], second);
        acc.Add(2, "b", 0, [1, 1]); // without an identity: nothing to forget

        Assert.Equal([first, second], acc.BufferedPushes);
        acc.TakeAverage(1, new float[2]);
        Assert.Equal([second], acc.BufferedPushes);
        acc.TakeAverage(2, new float[2]);
        Assert.Empty(acc.BufferedPushes);
    }
}
