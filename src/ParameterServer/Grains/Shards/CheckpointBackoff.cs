namespace ParameterServer.Grains.Shards;

/// <summary>
/// When a shard may try its next checkpoint after failed ones: the first retry waits <c>first</c>, each further one
/// twice as long as the one before, never longer than <c>max</c>. A store that is down is then asked a few times a
/// minute rather than on every trigger, and a store that comes back is written to within <c>max</c>.
/// </summary>
public sealed class CheckpointBackoff(TimeSpan first, TimeSpan max)
{
    private DateTimeOffset _retryAt = DateTimeOffset.MinValue;

    /// <summary>Failed attempts since the last checkpoint that was written.</summary>
    public int Failures { get; private set; }

    /// <summary>The first line of the last failure's innermost message; null after a success.</summary>
    public string? LastError { get; private set; }

    public bool MayAttempt(DateTimeOffset now) => now >= _retryAt;

    /// <summary>Records a failed attempt at <paramref name="now"/>; returns how long until the next may start.</summary>
    public TimeSpan Failed(DateTimeOffset now, Exception error)
    {
        Failures++;
        // first * 2^(failures - 1), computed without overflow for any number of failures.
        var delay = first;
        for (var i = 1; i < Failures && delay < max; i++)
            delay += delay;
        if (delay > max) delay = max;
        _retryAt = now + delay;
        // The innermost exception says what the store answered; the wrappers around it say which call it was.
        LastError = FirstLine(error.GetBaseException().Message);
        return delay;
    }

    public void Succeeded()
    {
        Failures = 0;
        LastError = null;
        _retryAt = DateTimeOffset.MinValue;
    }

    private static string FirstLine(string message)
    {
        var end = message.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? message : message[..end];
    }
}
