using ParameterServer.Contracts;
using ParameterServer.Grains.Shards;
using Xunit;

namespace ParameterServer.Tests.Unit;

/// <summary>
/// The shard's record of the pushes it took: a window of the last 64 sequence numbers below each writer's highest,
/// the acknowledgment of each, writers forgotten after 10 minutes of silence, at most 1024 writers.
/// </summary>
public sealed class AppliedPushesTests
{
    private static readonly Guid A = Writer(1);
    private static readonly Guid B = Writer(2);
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_push_is_new_until_recorded_then_repeated_with_its_acknowledgment()
    {
        var pushes = new AppliedPushes();
        Assert.Equal(PushLookup.New, pushes.Find(new PushId(A, 1), out _));

        pushes.Record(new PushId(A, 1), version: 7, applied: true, T0);

        Assert.Equal(PushLookup.Repeated, pushes.Find(new PushId(A, 1), out var original));
        Assert.Equal(new PushAcknowledgment(1, 7, true), original);
        Assert.Equal(PushLookup.New, pushes.Find(new PushId(A, 2), out _));
        Assert.Equal(PushLookup.New, pushes.Find(new PushId(B, 1), out _));
    }

    [Fact]
    public void Pushes_arriving_out_of_order_inside_the_window_are_each_new_once()
    {
        var pushes = new AppliedPushes();
        pushes.Record(new PushId(A, 3), 1, true, T0);

        Assert.Equal(PushLookup.New, pushes.Find(new PushId(A, 1), out _));
        pushes.Record(new PushId(A, 1), 2, false, T0);

        Assert.Equal(PushLookup.New, pushes.Find(new PushId(A, 2), out _));
        Assert.Equal(PushLookup.Repeated, pushes.Find(new PushId(A, 1), out var first));
        Assert.Equal(PushLookup.Repeated, pushes.Find(new PushId(A, 3), out var third));
        Assert.Equal((new PushAcknowledgment(1, 2, false), new PushAcknowledgment(3, 1, true)), (first, third));
    }

    [Fact]
    public void The_window_holds_the_64_numbers_up_to_the_highest()
    {
        var pushes = new AppliedPushes();
        pushes.Record(new PushId(A, 70), 1, true, T0);

        // 70 - 64 = 6: numbers 7 to 70 are in the window, 6 and below are too old to tell.
        Assert.Equal(PushLookup.TooOld, pushes.Find(new PushId(A, 6), out _));
        Assert.Equal(PushLookup.New, pushes.Find(new PushId(A, 7), out _));
        Assert.Equal(PushLookup.New, pushes.Find(new PushId(A, 69), out _));
        Assert.Equal(PushLookup.Repeated, pushes.Find(new PushId(A, 70), out _));
        Assert.Equal(PushLookup.New, pushes.Find(new PushId(A, 71), out _));
    }

    [Fact]
    public void A_slot_reused_by_a_number_64_higher_tells_the_two_apart()
    {
        var pushes = new AppliedPushes();
        pushes.Record(new PushId(A, 1), 1, true, T0);
        // 65 mod 64 = 1: the same slot. 65 is taken; 1 is now below the window (65 - 64 = 1).
        pushes.Record(new PushId(A, 65), 2, true, T0);
        pushes.Record(new PushId(A, 2), 3, true, T0);
        // 66 takes 2's slot and moves the window to 3..66; 67's slot (3) was never written.
        pushes.Record(new PushId(A, 66), 4, true, T0);

        Assert.Equal(PushLookup.Repeated, pushes.Find(new PushId(A, 65), out var reused));
        Assert.Equal(new PushAcknowledgment(65, 2, true), reused);
        Assert.Equal(PushLookup.TooOld, pushes.Find(new PushId(A, 1), out _));
        Assert.Equal(PushLookup.TooOld, pushes.Find(new PushId(A, 2), out _));
        // 3's slot is empty, 64's never written: both new.
        Assert.Equal(PushLookup.New, pushes.Find(new PushId(A, 3), out _));
        Assert.Equal(PushLookup.New, pushes.Find(new PushId(A, 64), out _));
    }

    [Fact]
    public void A_forgotten_push_is_new_again_and_forgetting_leaves_a_later_number_in_its_slot()
    {
        var pushes = new AppliedPushes();
        pushes.Record(new PushId(A, 3), 1, false, T0);
        pushes.Record(new PushId(A, 1), 2, true, T0);
        pushes.Record(new PushId(A, 65), 3, true, T0);

        pushes.Forget(new PushId(A, 3));
        pushes.Forget(new PushId(A, 1));
        pushes.Forget(new PushId(B, 1));

        Assert.Equal(PushLookup.New, pushes.Find(new PushId(A, 3), out _));
        Assert.Equal(PushLookup.Repeated, pushes.Find(new PushId(A, 65), out _));
    }

    [Fact]
    public void Writers_silent_longer_than_the_retention_are_forgotten()
    {
        var pushes = new AppliedPushes();
        pushes.Record(new PushId(A, 1), 1, true, T0);
        pushes.Record(new PushId(B, 1), 2, true, T0 + TimeSpan.FromMinutes(5));

        pushes.Expire(T0 + TimeSpan.FromMinutes(10));
        Assert.Equal(2, pushes.Writers.Count);

        // A's last push was 10 minutes and a tick ago, B's 5 minutes and a tick ago.
        pushes.Expire(T0 + TimeSpan.FromMinutes(10) + TimeSpan.FromTicks(1));
        Assert.Equal([B], pushes.Writers.Keys);
        Assert.Equal(PushLookup.New, pushes.Find(new PushId(A, 1), out _));
    }

    [Fact]
    public void A_new_writer_clears_the_expired_ones_first()
    {
        var pushes = new AppliedPushes();
        pushes.Record(new PushId(A, 1), 1, true, T0);

        pushes.Record(new PushId(B, 1), 1, true, T0 + TimeSpan.FromMinutes(11));

        Assert.Equal([B], pushes.Writers.Keys);
    }

    [Fact]
    public void Past_the_most_writers_the_one_silent_the_longest_makes_room()
    {
        var pushes = new AppliedPushes();
        // Writer i's last push at T0 + i ms (writer 0 pushes again later, at T0 + 2000 ms): all within the retention,
        // so writer 1 is the one silent the longest.
        for (var i = 0; i < AppliedPushes.MaxWriters; i++)
            pushes.Record(new PushId(Writer(i), 1), 1, true, T0 + TimeSpan.FromMilliseconds(i));
        pushes.Record(new PushId(Writer(0), 2), 2, true, T0 + TimeSpan.FromMilliseconds(2000));

        pushes.Record(new PushId(Writer(5000), 1), 1, true, T0 + TimeSpan.FromMilliseconds(2001));

        Assert.Equal(1024, pushes.Writers.Count);
        Assert.False(pushes.Writers.ContainsKey(Writer(1)));
        Assert.True(pushes.Writers.ContainsKey(Writer(0)));
        Assert.True(pushes.Writers.ContainsKey(Writer(5000)));
        Assert.All(pushes.Writers.Values, w => Assert.Equal(64, w.Slots.Length));
    }

    [Fact]
    public void A_copy_does_not_change_with_the_record_and_drops_the_writers_it_forgot()
    {
        var live = new AppliedPushes();
        var snapshot = new AppliedPushes();
        live.Record(new PushId(A, 1), 1, true, T0);
        live.Record(new PushId(B, 1), 1, true, T0);
        live.CopyTo(snapshot);

        live.Record(new PushId(A, 2), 2, true, T0);
        live.Writers.Remove(B);
        Assert.Equal(PushLookup.New, snapshot.Find(new PushId(A, 2), out _));
        Assert.Equal(PushLookup.Repeated, snapshot.Find(new PushId(B, 1), out _));

        live.CopyTo(snapshot);
        Assert.Equal(PushLookup.Repeated, snapshot.Find(new PushId(A, 2), out _));
        Assert.Equal([A], snapshot.Writers.Keys);
    }

    private static Guid Writer(int i) => new(i + 1, 0, 0, new byte[8]);
}
