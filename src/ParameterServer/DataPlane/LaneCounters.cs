namespace ParameterServer.DataPlane;

/// <summary>
/// What a lane server has moved since it started: pushes staged and pulls answered with data, with their payload
/// bytes, and frames refused. For logs and tests; updated by the lanes as they go, read at any time.
/// </summary>
public sealed class LaneCounters
{
    private long _pushes;
    private long _pushBytes;
    private long _pulls;
    private long _pullBytes;
    private long _refused;

    /// <summary>Pushes received whole and staged under their token.</summary>
    public long Pushes => Interlocked.Read(ref _pushes);

    public long PushBytes => Interlocked.Read(ref _pushBytes);

    /// <summary>Pulls answered with a snapshot's bytes (not those answered "current"), counted as the answer begins.</summary>
    public long Pulls => Interlocked.Read(ref _pulls);

    public long PullBytes => Interlocked.Read(ref _pullBytes);

    /// <summary>Frames answered with an error frame.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public override string ToString() =>
        $"{Pushes} pushes ({PushBytes} bytes) staged, {Pulls} pulls ({PullBytes} bytes) served, {Refused} frames refused";

    internal void CountPush(int bytes)
    {
        Interlocked.Increment(ref _pushes);
        Interlocked.Add(ref _pushBytes, bytes);
    }

    internal void CountPull(int bytes)
    {
        Interlocked.Increment(ref _pulls);
        Interlocked.Add(ref _pullBytes, bytes);
    }

    internal void CountRefusal() => Interlocked.Increment(ref _refused);
}
