using MessagePack;
using ParameterServer.Contracts;
using ParameterServer.Grains.Persistence;

namespace ParameterServer.Grains.Models;

/// <summary>
/// What a model grain persists: its spec, and the shards restored behind acknowledged updates. Workers and clocks are
/// live membership and are not kept.
/// </summary>
[GenerateSerializer, MessagePackObject]
public sealed class ModelState
{
    /// <summary>Null until the model is created.</summary>
    [Id(0), Key(0), MessagePackFormatter(typeof(SpecFormatter<ModelSpec>))]
    public ModelSpec? Spec { get; set; }

    /// <summary>By shard key.</summary>
    [Id(1), Key(1)] public Dictionary<string, ShardLossRecord> Losses { get; set; } = new(StringComparer.Ordinal);
}
