using System.Diagnostics;
using HdrHistogram;

namespace ParameterServer.Benchmarks.Latency;

/// <summary>
/// Round-trip times of one load loop, in nanoseconds, in an HdrHistogram (3 significant digits, up to a minute), so
/// that percentiles are exact to 0.1% whatever the spread. One recorder per loop, merged after the run: no locks on
/// the measured path.
/// </summary>
public sealed class LatencyRecorder
{
    private const long HighestNanoseconds = 60_000_000_000;

    private readonly LongHistogram _histogram = new(HighestNanoseconds, numberOfSignificantValueDigits: 3);

    public long Count => _histogram.TotalCount;

    /// <summary>Records the time since <paramref name="startTimestamp"/> (a <see cref="Stopwatch.GetTimestamp"/> value).</summary>
    public void RecordSince(long startTimestamp) =>
        RecordNanoseconds((long)((Stopwatch.GetTimestamp() - startTimestamp) * (1e9 / Stopwatch.Frequency)));

    public void RecordNanoseconds(long nanoseconds) => _histogram.RecordValue(Math.Clamp(nanoseconds, 1, HighestNanoseconds));

    /// <summary>Adds every value another recorder holds.</summary>
    public void Add(LatencyRecorder other) => _histogram.Add(other._histogram);

    /// <summary>The value at a percentile (0-100) in microseconds: the smallest recorded value that at least that share of values do not exceed.</summary>
    public double PercentileMicroseconds(double percentile)
    {
        if (Count == 0) throw new InvalidOperationException("no values recorded");
        return _histogram.GetValueAtPercentile(percentile) / 1e3;
    }

    public static LatencyRecorder Merge(IEnumerable<LatencyRecorder> recorders)
    {
        var merged = new LatencyRecorder();
        foreach (var recorder in recorders) merged.Add(recorder);
        return merged;
    }
}
