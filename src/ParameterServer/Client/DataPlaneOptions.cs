using ParameterServer.Contracts;

namespace ParameterServer.Client;

/// <summary>
/// How a client moves tensor bytes. On (the default), pushes and pulls travel on lanes (persistent TCP connections)
/// to the data port of the silo that hosts each shard, and a push is committed in a small grain call; shards whose
/// silo has no data port, or whose lanes keep failing, are served in plain grain calls. Off, every byte goes in grain
/// calls. The API is the same either way.
/// </summary>
/// <example><c>var options = new ConnectionOptions { DataPlane = new DataPlaneOptions { LanesPerSilo = 2 } };</c></example>
public sealed record DataPlaneOptions
{
    /// <summary>The default number of lanes to each silo: enough to keep 4 transfers in flight per silo.</summary>
    /// <example><c>var lanes = DataPlaneOptions.DefaultLanesPerSilo;</c></example>
    public const int DefaultLanesPerSilo = 4;

    /// <summary>The most lanes a client keeps to one silo.</summary>
    /// <example><c>var most = DataPlaneOptions.MaxLanesPerSilo;</c></example>
    public const int MaxLanesPerSilo = 64;

    /// <summary>Every push and pull in grain calls.</summary>
    /// <example><c>var client = new ParameterServerClient(cluster.Client, DataPlaneOptions.Off);</c></example>
    public static DataPlaneOptions Off { get; } = new() { Enabled = false };

    /// <summary>Whether pushes and pulls use the silos' data ports where they have one.</summary>
    /// <example><c>var o = new DataPlaneOptions { Enabled = false };</c></example>
    public bool Enabled { get; init; } = true;

    /// <summary>Lanes per silo: the most transfers in flight to one silo at a time (more wait for a free lane).</summary>
    /// <example><c>var o = new DataPlaneOptions { LanesPerSilo = 8 };</c></example>
    public int LanesPerSilo { get; init; } = DefaultLanesPerSilo;

    /// <summary>Throws <see cref="ParameterServerException"/> (<see cref="ErrorCode.InvalidArgument"/>) for a lane count out of range.</summary>
    /// <example><c>options.Validate();</c></example>
    public void Validate()
    {
        if (LanesPerSilo is < 1 or > MaxLanesPerSilo)
            throw new ParameterServerException(ErrorCode.InvalidArgument, $"lanes per silo must be 1 to {MaxLanesPerSilo}, not {LanesPerSilo}");
    }
}
