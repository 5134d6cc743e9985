using System.Net;
using System.Numerics;
using Microsoft.Extensions.Options;
using ParameterServer.Contracts;
using ParameterServer.DataPlane;

namespace ParameterServer.Grains.Hosting;

/// <summary>
/// The silo's data port, where clients send and receive tensor bytes on lanes beside Orleans (DESIGN.md, "Wire
/// format"). Off (<see cref="Off"/>) unless configured; a silo without it serves every push and pull in grain calls.
/// Example: <c>silo.AddDataPlane(o => o.Port = DataPortOptions.DefaultPort)</c>.
/// </summary>
public sealed class DataPortOptions
{
    public const int Off = 0;

    /// <summary>A free port picked when the silo starts: for several silos in one process (tests).</summary>
    public const int AnyFreePort = -1;

    public const int DefaultPort = LaneServerOptions.DefaultPort;

    public const int DefaultMaxLanes = LaneServerOptions.DefaultMaxLanes;

    /// <summary>The TCP port the silo listens on for lanes (on every address), <see cref="Off"/> or <see cref="AnyFreePort"/>.</summary>
    public int Port { get; set; } = Off;

    /// <summary>The host name or IP address clients connect to; by default the silo's own advertised IP address.</summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>The port clients connect to when it differs from <see cref="Port"/> (a port mapping or proxy in between); 0: the same.</summary>
    public int AdvertisedPort { get; set; }

    /// <summary>Memory cap of pushes waiting for their commit and of snapshots being sent; past it frames are refused as busy.</summary>
    public long StagingCapacityBytes { get; set; } = 512L << 20;

    /// <summary>How long a push waits for its commit before its buffer is reclaimed and its token no longer commits.</summary>
    public TimeSpan TokenExpiry { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one frame may take from its first byte: a lane that stalls in a frame (a client that stopped half-way)
    /// is closed after it, and the buffer its push held goes back to staging.
    /// </summary>
    public TimeSpan FrameTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most lanes the data port serves at once; a connection past it is closed at once and logged.</summary>
    public int MaxLanes { get; set; } = DefaultMaxLanes;

    /// <summary>The lane server's settings. A shard's payload is at most <see cref="Limits.MaxShardBytes"/>.</summary>
    internal LaneServerOptions ToLaneServerOptions() => new()
    {
        Enabled = Port != Off,
        Address = IPAddress.Any,
        Port = Port == AnyFreePort ? 0 : Port,
        MaxPayloadBytes = Limits.MaxShardBytes,
        StagingCapacityBytes = StagingCapacityBytes,
        StagingExpiry = TokenExpiry,
        FrameTimeout = FrameTimeout,
        MaxLanes = MaxLanes,
    };
}

/// <summary>Refuses a data port the silo could not open or a staging area that could not hold one shard.</summary>
public sealed class DataPortOptionsValidator : IValidateOptions<DataPortOptions>
{
    public ValidateOptionsResult Validate(string? name, DataPortOptions options)
    {
        var errors = new List<string>();
        if (options.Port is < DataPortOptions.AnyFreePort or > IPEndPoint.MaxPort)
            errors.Add($"{nameof(DataPortOptions.Port)} must be a TCP port, {DataPortOptions.Off} (off) or {DataPortOptions.AnyFreePort} (any free port), not {options.Port}");
        // Buffers are pooled power-of-two arrays: the cap must hold one for the largest shard.
        var largest = (long)BitOperations.RoundUpToPowerOf2((uint)Limits.MaxShardBytes);
        if (options.StagingCapacityBytes < largest)
            errors.Add($"{nameof(DataPortOptions.StagingCapacityBytes)} must be at least {largest} (one buffer for the largest shard), not {options.StagingCapacityBytes}");
        if (options.TokenExpiry <= TimeSpan.Zero || options.TokenExpiry.TotalMilliseconds > int.MaxValue)
            errors.Add($"{nameof(DataPortOptions.TokenExpiry)} must be positive and at most {int.MaxValue} ms, not {options.TokenExpiry}");
        if (options.FrameTimeout <= TimeSpan.Zero || options.FrameTimeout.TotalMilliseconds > int.MaxValue)
            errors.Add($"{nameof(DataPortOptions.FrameTimeout)} must be positive and at most {int.MaxValue} ms, not {options.FrameTimeout}");
        if (options.MaxLanes <= 0)
            errors.Add($"{nameof(DataPortOptions.MaxLanes)} must be positive, not {options.MaxLanes}");
        if (options.AdvertisedPort is < 0 or > IPEndPoint.MaxPort)
            errors.Add($"{nameof(DataPortOptions.AdvertisedPort)} must be a TCP port or 0 (the data port itself), not {options.AdvertisedPort}");
        if (options.AdvertisedHost is { } host && Uri.CheckHostName(host) == UriHostNameType.Unknown)
            errors.Add($"{nameof(DataPortOptions.AdvertisedHost)} '{host}' is neither a host name nor an IP address");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
