using ParameterServer.Contracts;

namespace ParameterServer.Benchmarks.Scaling;

/// <summary>
/// A cluster of <paramref name="Machines"/> identical machines, each running one worker and one silo (GeePS's setup),
/// joined by NICs of <paramref name="NicGigabitsPerSecond"/> each way, every worker training on
/// <paramref name="BatchPerWorker"/> samples per clock under <paramref name="Consistency"/> (SSP and asynchronous
/// modes behave alike in the model: staleness hides the barrier).
/// </summary>
public sealed record ClusterShape(int Machines, double NicGigabitsPerSecond, int BatchPerWorker, ConsistencyMode Consistency)
{
    public double NicBytesPerSecond => NicGigabitsPerSecond * 1e9 / 8;

    public override string ToString() =>
        $"{Machines} machine{(Machines > 1 ? "s" : "")}, {NicGigabitsPerSecond:0.#} Gbit/s, {Consistency.ToString().ToUpperInvariant()}";
}
