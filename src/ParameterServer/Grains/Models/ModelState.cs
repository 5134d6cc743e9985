using MessagePack;
using ParameterServer.Contracts;
using ParameterServer.Grains.Persistence;

namespace ParameterServer.Grains.Models;

/// <summary>What a model grain persists: its spec. Workers and clocks are live membership and are not kept.</summary>
[GenerateSerializer, MessagePackObject]
public sealed class ModelState
{
    /// <summary>Null until the model is created.</summary>
    [Id(0), Key(0), MessagePackFormatter(typeof(SpecFormatter<ModelSpec>))]
    public ModelSpec? Spec { get; set; }
}
