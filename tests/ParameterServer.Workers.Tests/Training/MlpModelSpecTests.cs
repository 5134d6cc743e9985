using ParameterServer.Contracts;
using ParameterServer.Kernels.Devices.Cpu;
using ParameterServer.Workers.Models;
using ParameterServer.Workers.Training;

namespace ParameterServer.Workers.Tests.Training;

public sealed class MlpModelSpecTests
{
    [Fact]
    public void Each_parameter_becomes_a_table_of_its_name_and_shape_with_an_initializer_for_what_it_feeds()
    {
        using var device = new CpuDevice(threads: 1);
        using var mlp = new Mlp(device, [784, 256, 128, 10], maxBatch: 1);

        var spec = MlpModelSpec.Create("m", mlp, OptimizerSpec.Adam(1e-3f), ConsistencySpec.Ssp(2), seed: 4);

        Assert.Equal(
            [("fc1.weight", 256, 784), ("fc1.bias", 1, 256), ("fc2.weight", 128, 256), ("fc2.bias", 1, 128), ("fc3.weight", 10, 128), ("fc3.bias", 1, 10)],
            spec.Tables.Select(t => (t.Name, t.Rows, t.Cols)));
        // Weights before a ReLU: He; the logits' weights: Xavier; biases: zero.
        Assert.Equal(
            [InitializerKind.HeNormal, InitializerKind.Zeros, InitializerKind.HeNormal, InitializerKind.Zeros, InitializerKind.XavierUniform, InitializerKind.Zeros],
            spec.Tables.Select(t => t.Initializer.Kind));
        Assert.Equal(3, spec.Tables.Where(t => t.Name.EndsWith(".weight")).Select(t => t.Initializer.Seed).Distinct().Count());
        Assert.All(spec.Tables, t => Assert.Equal(OptimizerSpec.Adam(1e-3f), t.Optimizer));
        Assert.Equal(ConsistencySpec.Ssp(2), spec.Consistency);
        spec.Validate();
    }

    [Fact]
    public void Every_worker_of_a_run_builds_the_same_spec_so_creating_it_twice_is_a_no_op()
    {
        using var device = new CpuDevice(threads: 1);
        using var a = new Mlp(device, [784, 32, 10], maxBatch: 64);
        using var b = new Mlp(device, [784, 32, 10], maxBatch: 128);

        Assert.True(MlpModelSpec.Create("m", a, OptimizerSpec.Sgd(0.1f), ConsistencySpec.Bsp, seed: 4)
            .SameAs(MlpModelSpec.Create("m", b, OptimizerSpec.Sgd(0.1f), ConsistencySpec.Bsp, seed: 4)));
        Assert.False(MlpModelSpec.Create("m", a, OptimizerSpec.Sgd(0.1f), ConsistencySpec.Bsp, seed: 4)
            .SameAs(MlpModelSpec.Create("m", a, OptimizerSpec.Sgd(0.1f), ConsistencySpec.Bsp, seed: 5)));
    }
}
