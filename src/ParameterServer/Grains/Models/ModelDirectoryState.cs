using MessagePack;

namespace ParameterServer.Grains.Models;

/// <summary>The names of the cluster's models, sorted ordinally.</summary>
[GenerateSerializer, MessagePackObject]
public sealed class ModelDirectoryState
{
    [Id(0), Key(0)] public List<string> Models { get; set; } = [];
}
