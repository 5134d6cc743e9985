namespace ParameterServer.DataPlane;

/// <summary>
/// How long a data port's accept loop pauses after accepts that failed in a row: <see cref="First"/>, twice as long after
/// each further failure, never longer than <see cref="Max"/>; an accept that succeeds starts over. Out of file
/// descriptors, a queued connection makes every accept fail at once: without a pause the loop would spin and flood the log.
/// Example: <c>await Task.Delay(backoff.Failed(), ct);</c>
/// </summary>
public sealed class AcceptBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(10);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(1);

    private TimeSpan _pause = TimeSpan.Zero;

    /// <summary>Records a failed accept; returns the pause before the next.</summary>
    public TimeSpan Failed() => _pause = _pause == TimeSpan.Zero ? First : TimeSpan.FromTicks(Math.Min(2 * _pause.Ticks, Max.Ticks));

    public void Succeeded() => _pause = TimeSpan.Zero;
}
