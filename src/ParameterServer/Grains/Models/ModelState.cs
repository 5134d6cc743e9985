using MessagePack;
using ParameterServer.Contracts;
using ParameterServer.Grains.Persistence;

namespace ParameterServer.Grains.Models;

/// <summary>
/// What a model grain persists: its spec, its progress (the workers with their clocks, the completed clock, who holds
/// which data partition) and the shards restored behind acknowledged updates.
/// </summary>
[GenerateSerializer, MessagePackObject]
public sealed class ModelState
{
    /// <summary>Null until the model is created.</summary>
    [Id(0), Key(0), MessagePackFormatter(typeof(SpecFormatter<ModelSpec>))]
    public ModelSpec? Spec { get; set; }

    /// <summary>By shard key.</summary>
    [Id(1), Key(1)] public Dictionary<string, ShardLossRecord> Losses { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The members of the job and their clocks when the progress was last saved.</summary>
    [Id(2), Key(2)] public Dictionary<string, long> Workers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The job's completed clock when the progress was last saved.</summary>
    [Id(3), Key(3)] public long CompletedClock { get; set; }

    /// <summary>Per data partition, the worker holding it (null: unassigned); empty for a job that assigns no data.</summary>
    [Id(4), Key(4)] public string?[] PartitionHolders { get; set; } = [];

    /// <summary>Per data partition, the clock through which its earlier holders trained it.</summary>
    [Id(5), Key(5)] public long[] PartitionsTrainedThrough { get; set; } = [];

    /// <summary>The version of that assignment.</summary>
    [Id(6), Key(6)] public long AssignmentVersion { get; set; }

    /// <summary>
    /// True from before the model's shards are set up until all are: a create that was interrupted left shards that
    /// <see cref="Spec"/> accounts for, and creating again with that spec completes it.
    /// </summary>
    [Id(7), Key(7)] public bool Creating { get; set; }
}
