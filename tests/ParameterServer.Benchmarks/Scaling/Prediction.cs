namespace ParameterServer.Benchmarks.Scaling;

/// <summary>
/// The model's prediction for one cluster: the seconds of each cost term of one clock on the busiest machine, the
/// clock's length, samples per second of the whole cluster, and the term that bounds it.
/// </summary>
/// <param name="Cluster">The cluster predicted for.</param>
/// <param name="Compute">B samples of forward and backward pass.</param>
/// <param name="Nic">The busiest machine's NIC traffic in its busier direction.</param>
/// <param name="Server">Its CPU for the bytes through the stack, the shard updates and the per-call costs.</param>
/// <param name="Barrier">BSP's clock protocol: report the clock, wait for the slowest (0 under SSP).</param>
/// <param name="SecondsPerClock">One clock: every worker trains one batch.</param>
/// <param name="SamplesPerSecond">Of all workers together.</param>
public sealed record Prediction(
    ClusterShape Cluster,
    double Compute,
    double Nic,
    double Server,
    double Barrier,
    double SecondsPerClock,
    double SamplesPerSecond)
{
    /// <summary>The largest term: what a faster part would have to be to speed the clock up.</summary>
    public string Bottleneck
    {
        get
        {
            var terms = new[] { ("compute", Compute), ("NIC", Nic), ("server CPU", Server), ("BSP barrier", Barrier) };
            return terms.MaxBy(t => t.Item2).Item1;
        }
    }
}
