namespace ParameterServer.Benchmarks.Transfer;

/// <summary>One measured transfer: throughput in GB/s (1e9 bytes) and CPU-seconds per GB of both ends together.</summary>
internal readonly record struct Measurement(double GigabytesPerSecond, double CpuSecondsPerGigabyte)
{
    /// <summary>The measurement of median throughput: noise on a shared machine only ever slows a round down, rarely up.</summary>
    public static Measurement Median(IReadOnlyList<Measurement> rounds) => rounds.OrderBy(m => m.GigabytesPerSecond).ElementAt(rounds.Count / 2);
}
