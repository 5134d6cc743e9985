using System.Net;

namespace ParameterServer.DataPlane;

/// <summary>A silo's data port and the limits of what it stages. Example: <c>new LaneServerOptions { Port = 0 }</c>.</summary>
public sealed class LaneServerOptions
{
    public const int DefaultPort = 11300;

    /// <summary>Off: no data port; clients fall back to grain calls.</summary>
    public bool Enabled { get; set; } = true;

    public IPAddress Address { get; set; } = IPAddress.Any;

    /// <summary>The data port; 0 picks a free one (see <see cref="LaneServer.Endpoint"/>).</summary>
    public int Port { get; set; } = DefaultPort;

    public const int DefaultMaxLanes = 1024;

    /// <summary>
    /// Most lanes served at once; a connection past it is closed at once and logged (its client uses grain calls).
    /// Bounds the sockets and buffers lanes hold: the default serves 256 clients of 4 lanes each.
    /// </summary>
    public int MaxLanes { get; set; } = DefaultMaxLanes;

    /// <summary>Largest frame payload accepted; larger frames are refused and their lane closed.</summary>
    public int MaxPayloadBytes { get; set; } = 64 << 20;

    /// <summary>Memory cap of the staged pushes; past it new pushes are refused with <see cref="LaneError.Busy"/>.</summary>
    public long StagingCapacityBytes { get; set; } = 512L << 20;

    /// <summary>How long a push waits for its commit before its buffer is reclaimed.</summary>
    public TimeSpan StagingExpiry { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one frame may take from its first byte; a lane stalled in a frame is closed and its buffer freed.</summary>
    public TimeSpan FrameTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
