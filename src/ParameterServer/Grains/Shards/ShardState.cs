using MessagePack;
using ParameterServer.Contracts;
using ParameterServer.Grains.Persistence;

namespace ParameterServer.Grains.Shards;

/// <summary>
/// What a shard checkpoints: its setup, values, optimizer slots, counters and the pushes it took. The grain keeps a
/// live copy and writes snapshots of it, so updates go on while a snapshot is being written.
/// </summary>
[GenerateSerializer, MessagePackObject]
public sealed class ShardState
{
    /// <summary>Null until the shard is initialized.</summary>
    [Id(0), Key(0), MessagePackFormatter(typeof(SpecFormatter<ShardSetup>))]
    public ShardSetup? Setup { get; set; }

    /// <summary>The shard's rows, row-major.</summary>
    [Id(1), Key(1)] public float[] Values { get; set; } = [];

    /// <summary>The optimizer's per-element slots (<see cref="OptimizerSpec.SlotCount"/> arrays like <see cref="Values"/>).</summary>
    [Id(2), Key(2)] public float[][] Slots { get; set; } = [];

    /// <summary>Count of applied updates; also the optimizer's step counter (the schedule's t, Adam's t - 1).</summary>
    [Id(3), Key(3)] public long Version { get; set; }

    /// <summary>Count of pushes taken (a push sent again is counted once).</summary>
    [Id(4), Key(4)] public long UpdateCount { get; set; }

    [Id(5), Key(5)] public long CheckpointedVersion { get; set; }

    /// <summary>When the last checkpoint was written; null if never.</summary>
    [Id(6), Key(6)] public DateTimeOffset? CheckpointedAt { get; set; }

    /// <summary>
    /// The pushes taken, by writer, so that a repeated one is not applied twice. A checkpoint written before this
    /// field existed loads with none.
    /// </summary>
    [Id(7), Key(7)] public AppliedPushes Pushes { get; set; } = new();

    /// <summary>Copies this state into <paramref name="target"/>, reusing its arrays where the sizes match.</summary>
    public void CopyTo(ShardState target)
    {
        target.Setup = Setup;
        target.Values = CopyInto(target.Values, Values);
        if (target.Slots.Length != Slots.Length) target.Slots = new float[Slots.Length][];
        for (var i = 0; i < Slots.Length; i++)
            target.Slots[i] = CopyInto(target.Slots[i], Slots[i]);
        target.Version = Version;
        target.UpdateCount = UpdateCount;
        target.CheckpointedVersion = CheckpointedVersion;
        target.CheckpointedAt = CheckpointedAt;
        Pushes.CopyTo(target.Pushes);
    }

    private static float[] CopyInto(float[]? target, float[] source)
    {
        if (target?.Length != source.Length) target = new float[source.Length];
        source.CopyTo(target, 0);
        return target;
    }
}
