using Microsoft.Extensions.Configuration;
using ParameterServer.Client;
using ParameterServer.Grains.Hosting;

namespace ParameterServer.Host.Configuration;

/// <summary>
/// The "DataPlane" configuration section: the silo's data port, where lanes carry tensor bytes beside Orleans, and how
/// many lanes a client keeps to each silo.
/// </summary>
internal sealed class DataPlaneSettings
{
    public const string Section = "DataPlane";

    /// <summary>The silo's data port: 0 turns it off, -1 takes any free port (several silos on one machine, tests).</summary>
    public int Port { get; set; } = DataPortOptions.DefaultPort;

    /// <summary>The host name or address clients reach the data port at; empty: the silo's own advertised address.</summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>The port clients reach the data port at, when a port mapping or proxy is in between; 0: the data port itself.</summary>
    public int AdvertisedPort { get; set; }

    /// <summary>Memory the silo holds for pushes waiting for their commit and snapshots being sent.</summary>
    public int StagingMemoryMiB { get; set; } = 512;

    /// <summary>How long a staged push waits for its commit before it is dropped.</summary>
    public double TokenExpirySeconds { get; set; } = 30;

    /// <summary>How long one frame on a lane may take from its first byte before the silo closes the lane and frees its buffer.</summary>
    public double FrameTimeoutSeconds { get; set; } = 30;

    /// <summary>Most lanes the silo's data port serves at once; a connection past it is closed (its client uses grain calls).</summary>
    public int MaxLanes { get; set; } = DataPortOptions.DefaultMaxLanes;

    /// <summary>Whether clients (the CLI commands) use the data ports; false sends every byte in grain calls.</summary>
    public bool UseLanes { get; set; } = true;

    /// <summary>Lanes a client keeps to each silo.</summary>
    public int LanesPerSilo { get; set; } = DataPlaneOptions.DefaultLanesPerSilo;

    public static DataPlaneSettings From(IConfiguration configuration) => configuration.Bind<DataPlaneSettings>(Section);

    public void Configure(DataPortOptions options)
    {
        options.Port = Port;
        options.AdvertisedHost = string.IsNullOrWhiteSpace(AdvertisedHost) ? null : AdvertisedHost;
        options.AdvertisedPort = AdvertisedPort;
        options.StagingCapacityBytes = (long)StagingMemoryMiB << 20;
        options.TokenExpiry = TimeSpan.FromSeconds(TokenExpirySeconds);
        options.FrameTimeout = TimeSpan.FromSeconds(FrameTimeoutSeconds);
        options.MaxLanes = MaxLanes;
    }

    public DataPlaneOptions ToClientOptions() => new() { Enabled = UseLanes, LanesPerSilo = LanesPerSilo };

    public string Describe() => Port switch
    {
        DataPortOptions.Off => "data port off",
        DataPortOptions.AnyFreePort => "a free data port",
        _ => $"data port {Port}",
    };
}
