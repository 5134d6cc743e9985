using ParameterServer.Contracts;
using ParameterServer.Kernels.Devices.Cpu;
using ParameterServer.Workers.Models;
using ParameterServer.Workers.Training;

namespace ParameterServer.Workers.Tests.Training;

/// <summary>The standalone baseline: tables start from their initializer and take each step's gradient with the table's rule.</summary>
public sealed class LocalParameterStoreTests
{
    [Fact]
    public async Task Values_start_from_the_initializer_and_each_step_applies_the_tables_update_rule()
    {
        using var device = new CpuDevice(threads: 1);
        using var mlp = new Mlp(device, [2, 2], maxBatch: 1);
        var spec = new ModelSpec
        {
            Name = "local",
            Tables =
            [
                new TableSpec { Name = "fc1.weight", Rows = 2, Cols = 2, Initializer = InitializerSpec.Constant(1f), Optimizer = OptimizerSpec.Sgd(0.5f) },
                new TableSpec { Name = "fc1.bias", Rows = 1, Cols = 2, Initializer = InitializerSpec.Constant(-1f), Optimizer = OptimizerSpec.Adam(0.01f) },
            ],
        };
        await using var store = new LocalParameterStore(spec, mlp.Parameters, device);
        var (weight, bias) = (mlp.Parameters[0], mlp.Parameters[1]);

        await store.StartAsync(CancellationToken.None);
        Assert.Equal([1f, 1, 1, 1], Values(device, weight.Value));
        Assert.Equal([-1f, -1], Values(device, bias.Value));

        device.CopyToDevice<float>(new float[] { 0.5f, -1, 2, 0 }, weight.Gradient);
        device.CopyToDevice<float>(new float[] { 3, -0.25f }, bias.Gradient);
        await store.AfterStepAsync(partition: 0, CancellationToken.None);

        // SGD: w = 1 - 0.5 g. Adam's first step: m = 0.1 g, v = 0.001 g^2, bias-corrected to g and g^2, so
        // w = -1 - 0.01 * g / (|g| + 1e-8) = -1 - 0.01 sign(g).
        Assert.Equal([0.75f, 1.5f, 0, 1], Values(device, weight.Value));
        var b = Values(device, bias.Value);
        Assert.Equal(-1.01f, b[0], 1e-6f);
        Assert.Equal(-0.99f, b[1], 1e-6f);
        Assert.Equal(1, store.Version);
    }

    [Fact]
    public void A_layer_table_the_spec_lacks_is_refused()
    {
        using var device = new CpuDevice(threads: 1);
        using var mlp = new Mlp(device, [2, 2], maxBatch: 1);
        var spec = new ModelSpec { Name = "local", Tables = [new TableSpec { Name = "fc1.weight", Rows = 2, Cols = 2 }] };

        var e = Assert.Throws<ArgumentException>(() => new LocalParameterStore(spec, mlp.Parameters, device));

        Assert.StartsWith("model 'local' has no table 'fc1.bias' of 1 x 2", e.Message);
    }

    private static float[] Values(CpuDevice device, Kernels.Devices.DeviceBuffer<float> buffer)
    {
        var values = new float[buffer.Length];
        device.CopyToHost(buffer, values.AsSpan());
        return values;
    }
}
