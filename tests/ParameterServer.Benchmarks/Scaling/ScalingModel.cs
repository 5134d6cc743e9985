using ParameterServer.Contracts;

namespace ParameterServer.Benchmarks.Scaling;

/// <summary>
/// Predicts training throughput on M machines from costs measured on one (see Scaling/README.md for the derivation
/// and where it breaks down). One clock, on the busiest machine, whose silo holds the share f of the model's
/// W = 4P bytes in s shards:
/// <code>
/// compute = B c
/// nic     = W (f (M - 1) + (1 - f)) / nic rate            pull replies to M - 1 workers, its worker's pushes elsewhere
/// stack   = W (f M + 1) / stack rate                      pushes in and pulls out W f M, its worker's push and pull 2W,
///                                                         halved: the stack rate was measured with both ends on one machine
/// update  = P f (M / accumulate rate + 1 / update rate)   BSP: a shard sums M pushes, then updates once
///         = P f M / update rate                           SSP: each push is an update
/// calls   = 2 M s / message rate                          a push and a pull per worker and shard
/// server  = stack + update + calls                        one machine's CPU does all three
/// barrier = 2 round trip + 2 M / message rate             BSP: report the clock, wait for the minimum; one grain
///                                                         takes M reports and M waits
/// clock   = compute + max(nic, server) + barrier          BSP: the next step needs every worker's last one
///         = max(compute, nic, server)                     SSP: background push and pull overlap compute
/// samples/s = M B / clock
/// </code>
/// </summary>
public static class ScalingModel
{
    public static Prediction Predict(DenseModel model, MeasuredCosts costs, ClusterShape cluster)
    {
        var m = cluster.Machines;
        var p = (double)model.Parameters;
        var w = p * sizeof(float);
        var placement = ShardPlacement.Balanced(model.ShardBytes(), m);
        var f = placement.BusiestByteShare;
        var bsp = cluster.Consistency == ConsistencyMode.Bsp;

        var compute = cluster.BatchPerWorker * model.ComputeSecondsPerSample;
        var nic = m == 1 ? 0 : w * (f * (m - 1) + (1 - f)) / cluster.NicBytesPerSecond;
        var stack = w * (f * m + 1) / costs.StackBytesPerSecond;
        var update = bsp
            ? p * f * (m / costs.AccumulateParametersPerSecond + 1 / costs.UpdateParametersPerSecond)
            : p * f * m / costs.UpdateParametersPerSecond;
        var calls = 2.0 * m * placement.BusiestShards / costs.MessagesPerSecond;
        var server = stack + update + calls;
        var barrier = bsp ? 2 * costs.RoundTripSeconds + 2.0 * m / costs.MessagesPerSecond : 0;
        var clock = bsp ? compute + Math.Max(nic, server) + barrier : Math.Max(compute, Math.Max(nic, server));
        return new Prediction(cluster, compute, nic, server, barrier, clock, m * cluster.BatchPerWorker / clock);
    }
}
