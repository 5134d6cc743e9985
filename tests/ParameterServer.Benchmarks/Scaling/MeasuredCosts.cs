namespace ParameterServer.Benchmarks.Scaling;

/// <summary>
/// The per-byte and per-message costs of this parameter server, measured on one machine in the same run, that the
/// scaling model extrapolates from.
/// </summary>
/// <param name="StackBytesPerSecond">
/// Bytes per second one machine moves through the push/pull path with the client and the silo both on it (the
/// transfer figures, harmonic mean of push and pull): the software's per-byte cost, CPU included.
/// </param>
/// <param name="RoundTripSeconds">Round trip of a small call with nothing else in flight (small push p50, 1 in flight).</param>
/// <param name="MessagesPerSecond">Small calls per second one grain serves (small pushes at the highest concurrency).</param>
/// <param name="AccumulateParametersPerSecond">Parameters per second a shard adds into a BSP clock's sum (the SGD rate, cold).</param>
/// <param name="UpdateParametersPerSecond">Parameters per second a shard applies the optimizer to (Adam, cold).</param>
public sealed record MeasuredCosts(
    double StackBytesPerSecond,
    double RoundTripSeconds,
    double MessagesPerSecond,
    double AccumulateParametersPerSecond,
    double UpdateParametersPerSecond);
