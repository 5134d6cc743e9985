using MessagePack;

namespace ParameterServer.Grains.Shards;

/// <summary>
/// The pushes a shard took from one writer: the highest sequence number and the acknowledgments of the numbers in a
/// window of <see cref="Size"/> below it (sequence s in slot s mod size). A writer's pushes may arrive out of order
/// (several in flight, one of them retried), so a number inside the window is new unless its slot holds it; a number
/// below the window can no longer be told apart.
/// </summary>
[GenerateSerializer, MessagePackObject]
public sealed class PushWindow
{
    /// <summary>The highest sequence number taken; 0 before the first.</summary>
    [Id(0), Key(0)] public long Highest { get; set; }

    /// <summary>When a push of the writer was last taken (UTC ticks), so that writers that went away are forgotten.</summary>
    [Id(1), Key(1)] public long LastSeen { get; set; }

    /// <summary>Its length is the window's size; an empty slot holds sequence 0.</summary>
    [Id(2), Key(2)] public PushAcknowledgment[] Slots { get; set; } = [];

    [IgnoreMember] public int Size => Slots.Length;

    /// <summary>Whether push <paramref name="sequence"/> (>= 1) was taken, and if so what it was answered.</summary>
    public PushLookup Find(long sequence, out PushAcknowledgment original)
    {
        original = default;
        if (sequence > Highest) return PushLookup.New;
        if (sequence <= Highest - Size) return PushLookup.TooOld;
        var slot = Slots[sequence % Size];
        if (slot.Sequence != sequence) return PushLookup.New;
        original = slot;
        return PushLookup.Repeated;
    }

    /// <summary>Records a push taken (one that <see cref="Find"/> called new).</summary>
    public void Record(PushAcknowledgment acknowledgment, long now)
    {
        Slots[acknowledgment.Sequence % Size] = acknowledgment;
        Highest = Math.Max(Highest, acknowledgment.Sequence);
        LastSeen = now;
    }

    /// <summary>Forgets push <paramref name="sequence"/>: taken again, it is new.</summary>
    public void Forget(long sequence)
    {
        ref var slot = ref Slots[sequence % Size];
        if (slot.Sequence == sequence) slot = default;
    }

    public void CopyTo(PushWindow target)
    {
        target.Highest = Highest;
        target.LastSeen = LastSeen;
        if (target.Slots.Length != Slots.Length) target.Slots = new PushAcknowledgment[Slots.Length];
        Slots.CopyTo(target.Slots, 0);
    }
}
