using ParameterServer.Kernels.Devices.Cpu;
using ParameterServer.Kernels.Init;
using ParameterServer.Workers.Models;

namespace ParameterServer.Workers.Tests.Models;

public class MlpTests
{
    [Fact]
    public void Parameters_are_named_tables_in_PyTorch_layout()
    {
        using var cpu = new CpuDevice(threads: 1);
        using var mlp = new Mlp(cpu, [784, 256, 128, 10], maxBatch: 128);
        Assert.Equal(
            ["fc1.weight [256 x 784]", "fc1.bias [1 x 256]", "fc2.weight [128 x 256]", "fc2.bias [1 x 128]", "fc3.weight [10 x 128]", "fc3.bias [1 x 10]"],
            mlp.Parameters.Select(p => p.ToString()));
        Assert.All(mlp.Parameters, p => Assert.Equal(p.Length, p.Value.Length));
        Assert.All(mlp.Parameters, p => Assert.Equal(p.Length, p.Gradient.Length));
        Assert.Equal(["Linear", "Relu", "Linear", "Relu", "Linear"], mlp.Layers.Select(l => l.GetType().Name));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    public void Forward_and_loss_match_the_scalar_reference(int batch)
    {
        int[] widths = [7, 6, 5, 4];
        using var cpu = new CpuDevice(threads: 2);
        using var mlp = new Mlp(cpu, widths, maxBatch: 8);
        var values = ModelSetup.Fill(mlp, seed: 21, _ => 0.8f);
        var x = new float[batch * widths[0]];
        Initializers.Uniform(x, 0, 22, -2f, 2f);
        var labels = Enumerable.Range(0, batch).Select(i => i % widths[^1]).ToArray();
        using var input = ModelSetup.Upload(cpu, x);
        using var labelBuffer = ModelSetup.Upload(cpu, labels);

        var logits = ModelSetup.Download(cpu, mlp.Forward(input, batch), batch * widths[^1]);
        mlp.ComputeGradients(input, labelBuffer, batch);

        var reference = ScalarMlp.Run(widths, values, x, labels);
        for (var i = 0; i < logits.Length; i++) Assert.Equal(reference.Logits[i], logits[i], 1e-5);
        Assert.Equal(reference.MeanLoss, mlp.Loss.MeanLoss(), 1e-5);
    }

    [Fact]
    public void Bad_widths_and_batches_are_rejected()
    {
        using var cpu = new CpuDevice(threads: 1);
        Assert.Throws<ArgumentException>(() => new Mlp(cpu, [10], maxBatch: 4));
        Assert.Throws<ArgumentException>(() => new Mlp(cpu, [10, 0, 2], maxBatch: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Mlp(cpu, [10, 2], maxBatch: 0));
        using var mlp = new Mlp(cpu, [3, 2], maxBatch: 4);
        using var input = cpu.Allocate<float>(15);
        Assert.Throws<ArgumentOutOfRangeException>(() => mlp.Forward(input, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => mlp.Forward(input, 0));
        Assert.Throws<InvalidOperationException>(() => mlp.Layers[0].Backward(input, needInputGradient: true));
        Assert.Throws<InvalidOperationException>(() => mlp.Loss.MeanLoss());
    }
}
