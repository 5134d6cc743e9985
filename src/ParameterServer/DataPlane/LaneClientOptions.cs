namespace ParameterServer.DataPlane;

/// <summary>How many lanes a client keeps per silo and how it retries. Example: <c>new LaneClientOptions { LanesPerEndpoint = 2 }</c>.</summary>
public sealed class LaneClientOptions
{
    /// <summary>Persistent lanes per endpoint; also the most requests in flight to it.</summary>
    public int LanesPerEndpoint { get; set; } = 4;

    /// <summary>Largest payload sent or received; larger pushes are refused before sending.</summary>
    public int MaxPayloadBytes { get; set; } = 64 << 20;

    /// <summary>Tries of one request across broken lanes, reconnects and backpressure, before <see cref="LaneError.Unavailable"/>.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Wait before the first retry; it doubles with each further one (with jitter).</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline of one attempt, from waiting for a lane to the last reply byte.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
