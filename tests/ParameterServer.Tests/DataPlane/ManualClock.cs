namespace ParameterServer.Tests.DataPlane;

/// <summary>A clock that moves only when told, for expiry tests.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _timestamp;

    public override long GetTimestamp() => Interlocked.Read(ref _timestamp);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _timestamp, (long)(by.TotalSeconds * TimestampFrequency));
}
