using ParameterServer.Benchmarks.Latency;

namespace ParameterServer.Benchmarks.Tests.Latency;

public class LatencyRecorderTests
{
    [Fact]
    public void Percentiles_of_1_to_100_microseconds_recorded_by_two_loops()
    {
        var odd = new LatencyRecorder();
        var even = new LatencyRecorder();
        for (var us = 1; us <= 100; us++) (us % 2 == 1 ? odd : even).RecordNanoseconds(us * 1000L);

        var merged = LatencyRecorder.Merge([odd, even]);

        // The value at p% is the smallest recorded value with at least p% of the 100 values at or below it: p50 is the
        // 50th (50 µs), p99 the 99th (99 µs), p100 the largest. Three significant digits: within 0.1%.
        Assert.Equal(100, merged.Count);
        Assert.Equal(50, merged.PercentileMicroseconds(50), 50 * 1e-3);
        Assert.Equal(99, merged.PercentileMicroseconds(99), 99 * 1e-3);
        Assert.Equal(100, merged.PercentileMicroseconds(100), 100 * 1e-3);
    }

    [Fact]
    public void One_slow_call_in_a_hundred_sets_p99_but_not_p50()
    {
        var recorder = new LatencyRecorder();
        for (var i = 0; i < 98; i++) recorder.RecordNanoseconds(40_000);
        recorder.RecordNanoseconds(41_000);
        recorder.RecordNanoseconds(5_000_000);

        // Sorted: 98 x 40 µs, 41 µs, 5000 µs. p50 = 40 µs; p99 = the 99th value, 41 µs; only p100 sees 5 ms.
        Assert.Equal(40, recorder.PercentileMicroseconds(50), 40 * 1e-3);
        Assert.Equal(41, recorder.PercentileMicroseconds(99), 41 * 1e-3);
        Assert.Equal(5000, recorder.PercentileMicroseconds(100), 5000 * 1e-3);
    }

    [Fact]
    public void An_empty_recorder_has_no_percentiles()
    {
        Assert.Throws<InvalidOperationException>(() => new LatencyRecorder().PercentileMicroseconds(50));
    }
}
