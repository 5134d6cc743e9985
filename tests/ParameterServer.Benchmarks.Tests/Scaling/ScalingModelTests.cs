using ParameterServer.Benchmarks.Scaling;
using ParameterServer.Contracts;

namespace ParameterServer.Benchmarks.Tests.Scaling;

public class ScalingModelTests
{
    // Two 512 x 1024 tables: 512 rows of 4 KiB fill exactly one 2 MiB shard each. P = 1,048,576, W = 4P = 4,194,304 B.
    private static readonly DenseModel _twoShards = new("two shards",
        [new TableSpec { Name = "a", Rows = 512, Cols = 1024 }, new TableSpec { Name = "b", Rows = 512, Cols = 1024 }],
        ComputeSecondsPerSample: 1e-4);

    // Stack 1 GB/s, round trip 100 µs, 10k calls/s, accumulate 2 G and update 0.5 G parameters/s.
    private static readonly MeasuredCosts _costs = new(1e9, 1e-4, 1e4, 2e9, 0.5e9);

    [Fact]
    public void Two_machines_under_BSP_add_compute_the_slower_of_NIC_and_server_and_the_barrier()
    {
        var p = ScalingModel.Predict(_twoShards, _costs, new ClusterShape(2, 10, 100, ConsistencyMode.Bsp));

        // One shard per machine: f = 0.5, s = 1; NIC 10 Gbit/s = 1.25e9 B/s, B = 100.
        // compute = 100 * 1e-4                                   = 0.01
        // nic     = 4,194,304 * (0.5 * 1 + 0.5) / 1.25e9         = 0.0033554432
        // stack   = 4,194,304 * (0.5 * 2 + 1) / 1e9              = 0.008388608
        // update  = 1,048,576 * 0.5 * (2 / 2e9 + 1 / 0.5e9)      = 0.001572864
        // calls   = 2 * 2 * 1 / 1e4                              = 0.0004
        // server  = 0.008388608 + 0.001572864 + 0.0004           = 0.010361472
        // barrier = 2 * 1e-4 + 2 * 2 / 1e4                       = 0.0006
        // clock   = 0.01 + max(0.0033554432, 0.010361472) + 0.0006 = 0.020961472; samples/s = 200 / clock = 9541.3147
        Assert.Equal(0.01, p.Compute, 12);
        Assert.Equal(0.0033554432, p.Nic, 12);
        Assert.Equal(0.010361472, p.Server, 12);
        Assert.Equal(0.0006, p.Barrier, 12);
        Assert.Equal(0.020961472, p.SecondsPerClock, 12);
        Assert.Equal(9541.3147, p.SamplesPerSecond, 3);
        Assert.Equal("server CPU", p.Bottleneck);
    }

    [Fact]
    public void Two_machines_under_SSP_overlap_compute_with_communication_and_update_per_push()
    {
        var p = ScalingModel.Predict(_twoShards, _costs, new ClusterShape(2, 10, 100, ConsistencyMode.Ssp));

        // update = 1,048,576 * 0.5 * 2 / 0.5e9 = 0.002097152 (each of the two pushes is an update)
        // server = 0.008388608 + 0.002097152 + 0.0004 = 0.01088576; no barrier
        // clock  = max(0.01, 0.0033554432, 0.01088576) = 0.01088576; samples/s = 200 / clock = 18372.6263
        Assert.Equal(0.01088576, p.Server, 12);
        Assert.Equal(0, p.Barrier);
        Assert.Equal(0.01088576, p.SecondsPerClock, 12);
        Assert.Equal(18372.6263, p.SamplesPerSecond, 3);
    }

    [Fact]
    public void One_machine_sends_nothing_over_its_NIC_and_holds_every_shard()
    {
        var p = ScalingModel.Predict(_twoShards, _costs, new ClusterShape(1, 10, 100, ConsistencyMode.Ssp));

        // f = 1, s = 2: stack = 4,194,304 * 2 / 1e9 = 0.008388608; update = 1,048,576 / 0.5e9 = 0.002097152;
        // calls = 2 * 1 * 2 / 1e4 = 0.0004; server = 0.01088576 > compute 0.01: samples/s = 100 / 0.01088576 = 9186.3131
        Assert.Equal(0, p.Nic);
        Assert.Equal(0.01088576, p.Server, 12);
        Assert.Equal(9186.3131, p.SamplesPerSecond, 3);
    }

    [Fact]
    public void A_faster_NIC_cannot_help_a_compute_bound_clock()
    {
        var slowServer = _twoShards with { ComputeSecondsPerSample = 1e-3 };

        var at10 = ScalingModel.Predict(slowServer, _costs, new ClusterShape(2, 10, 100, ConsistencyMode.Ssp));
        var at100 = ScalingModel.Predict(slowServer, _costs, new ClusterShape(2, 100, 100, ConsistencyMode.Ssp));

        // compute = 100 * 1e-3 = 0.1 s dominates every other term: samples/s = 200 / 0.1 = 2000 at either speed.
        Assert.Equal(2000, at10.SamplesPerSecond, 9);
        Assert.Equal(2000, at100.SamplesPerSecond, 9);
        Assert.Equal("compute", at10.Bottleneck);
    }
}
