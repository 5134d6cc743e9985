using ParameterServer.DataPlane;
using Xunit;

namespace ParameterServer.Tests.DataPlane;

public class BufferPoolTests
{
    [Fact]
    public void Rents_count_the_pooled_power_of_two_length_against_the_cap()
    {
        var pool = new BufferPool(capacityBytes: 3 << 20);

        // 1,000,000 bytes come as a 2^20 = 1,048,576-byte array; 1,500,000 as 2^21 = 2,097,152.
        Assert.True(pool.TryRent(1_000_000, out var small));
        Assert.Equal(1_048_576, pool.RentedBytes);
        Assert.True(pool.TryRent(1_500_000, out var large));
        Assert.Equal(1_048_576 + 2_097_152, pool.RentedBytes);

        // 3,145,728 held, the cap 3,145,728: not even one byte more fits.
        Assert.False(pool.TryRent(1, out var refused));
        Assert.Null(refused);
        Assert.Equal(3_145_728, pool.RentedBytes);

        pool.Return(small);
        pool.Return(large);
        Assert.Equal(0, pool.RentedBytes);
    }

    [Fact]
    public void An_empty_rent_holds_nothing()
    {
        var pool = new BufferPool(16);

        Assert.True(pool.TryRent(0, out var empty));
        Assert.Empty(empty);
        pool.Return(empty);
        Assert.Equal(0, pool.RentedBytes);
    }

    [Fact]
    public void Concurrent_renters_never_hold_more_than_the_cap_together()
    {
        // 8 threads race for 64 KiB buffers under a 1 MiB cap: at most 1 MiB / 64 KiB = 16 are held at once.
        var pool = new BufferPool(1 << 20);
        var held = 0;
        var peak = 0;
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 2000; i++)
            {
                if (!pool.TryRent(65_536, out var buffer))
                    continue;
                var now = Interlocked.Increment(ref held);
                InterlockedMax(ref peak, now);
                Interlocked.Decrement(ref held);
                pool.Return(buffer);
            }
        });
        Assert.InRange(peak, 1, 16);
        Assert.Equal(0, pool.RentedBytes);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
                return;
            current = seen;
        }
    }
}
