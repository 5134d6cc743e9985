using MessagePack;
using ParameterServer.Contracts;

namespace ParameterServer.Grains.Shards;

/// <summary>
/// The pushes a shard has taken, by writer (<see cref="PushId"/>), so that a push sent again after its answer was lost
/// is answered as the first time instead of being applied twice. Part of the shard's checkpoint: a shard restored from
/// a checkpoint remembers exactly the pushes whose effect the checkpoint holds.
/// </summary>
/// <remarks>
/// Bounded: a window of <see cref="WindowSize"/> pushes per writer, writers silent for longer than
/// <see cref="Retention"/> are forgotten when a new writer arrives or a checkpoint is taken, and past
/// <see cref="MaxWriters"/> the writer silent the longest makes room. The retention is far longer than a client repeats
/// a push (<c>TransientRetry.Window</c>, 2 minutes, plus a response timeout); the window is far deeper than the pushes
/// one writer has in flight to one shard.
/// </remarks>
[GenerateSerializer, MessagePackObject]
public sealed class AppliedPushes
{
    public const int WindowSize = 64;
    public const int MaxWriters = 1024;
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(10);

    [Id(0), Key(0)] public Dictionary<Guid, PushWindow> Writers { get; set; } = [];

    /// <summary>Whether <paramref name="id"/> (not <see cref="PushId.None"/>) was taken, and if so what it was answered.</summary>
    public PushLookup Find(PushId id, out PushAcknowledgment original)
    {
        if (Writers.TryGetValue(id.Writer, out var window)) return window.Find(id.Sequence, out original);
        original = default;
        return PushLookup.New;
    }

    /// <summary>Records that push <paramref name="id"/> was taken and answered with <paramref name="version"/> and <paramref name="applied"/>.</summary>
    public void Record(PushId id, long version, bool applied, DateTimeOffset now)
    {
        if (!Writers.TryGetValue(id.Writer, out var window))
        {
            MakeRoom(now);
            Writers.Add(id.Writer, window = new PushWindow { Slots = new PushAcknowledgment[WindowSize] });
        }
        window.Record(new PushAcknowledgment(id.Sequence, version, applied), now.UtcTicks);
    }

    /// <summary>Forgets push <paramref name="id"/>: sent again, it is applied.</summary>
    public void Forget(PushId id)
    {
        if (Writers.TryGetValue(id.Writer, out var window)) window.Forget(id.Sequence);
    }

    /// <summary>Forgets the writers not heard from for longer than <see cref="Retention"/>.</summary>
    public void Expire(DateTimeOffset now)
    {
        var before = (now - Retention).UtcTicks;
        foreach (var (writer, window) in Writers)
        {
            if (window.LastSeen < before) Writers.Remove(writer);
        }
    }

    /// <summary>Copies this record into <paramref name="target"/>, reusing its windows.</summary>
    public void CopyTo(AppliedPushes target)
    {
        foreach (var writer in target.Writers.Keys)
        {
            if (!Writers.ContainsKey(writer)) target.Writers.Remove(writer);
        }
        foreach (var (writer, window) in Writers)
        {
            if (!target.Writers.TryGetValue(writer, out var copy)) target.Writers.Add(writer, copy = new PushWindow());
            window.CopyTo(copy);
        }
    }

    private void MakeRoom(DateTimeOffset now)
    {
        Expire(now);
        if (Writers.Count < MaxWriters) return;
        var oldest = Writers.MinBy(w => w.Value.LastSeen).Key;
        Writers.Remove(oldest);
    }
}
