using ParameterServer.Kernels.Devices.Cpu;
using ParameterServer.Kernels.Init;
using ParameterServer.Workers.Models;

namespace ParameterServer.Workers.Tests.Models;

public class MlpTrainingTests
{
    private const int Dims = 8, Classes = 3, Batch = 32;

    /// <summary>
    /// Three Gaussian blobs in 8 dimensions: centers N(0, 2^2) per coordinate (about 8 apart), samples spread
    /// N(0, 0.7^2) around them, so a trained classifier separates them almost perfectly and chance is 1/3.
    /// </summary>
    private static (float[] X, int[] Y) Blobs(int count, ulong seed)
    {
        var x = new float[count * Dims];
        var y = new int[count];
        for (var s = 0; s < count; s++)
        {
            y[s] = s % Classes;
            for (var d = 0; d < Dims; d++)
                x[s * Dims + d] = (float)(2 * CounterRng.Normal(1, (ulong)(y[s] * Dims + d)) + 0.7 * CounterRng.Normal(seed, (ulong)(s * Dims + d)));
        }
        return (x, y);
    }

    [Fact]
    public void Plain_SGD_on_separable_blobs_reaches_over_95_percent_held_out_accuracy()
    {
        var (trainX, trainY) = Blobs(600, seed: 2);
        var (testX, testY) = Blobs(300, seed: 3);
        using var cpu = new CpuDevice(threads: 2);
        using var mlp = new Mlp(cpu, [Dims, 16, Classes], maxBatch: Batch);
        // PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases.
        ModelSetup.Fill(mlp, seed: 11, t => 1f / MathF.Sqrt(t.Cols == 1 ? t.Rows : t.Cols));
        using var input = cpu.Allocate<float>(Batch * Dims);
        using var labels = cpu.Allocate<int>(Batch);

        var before = Accuracy.Evaluate(mlp, testX, testY);
        double firstLoss = 0, lastLoss = 0;
        for (var step = 0; step < 300; step++)
        {
            var first = step * Batch % trainY.Length; // 600 = 18 3/4 batches: the batches drift through the set
            var count = Math.Min(Batch, trainY.Length - first);
            cpu.CopyToDevice(trainX.AsSpan(first * Dims, count * Dims), input);
            cpu.CopyToDevice(trainY.AsSpan(first, count), labels);
            mlp.ComputeGradients(input, labels, count);
            foreach (var table in mlp.Parameters) cpu.SgdUpdate(table.Value, table.Gradient, lr: 0.1f, weightDecay: 0f, table.Length);
            if (step == 0) firstLoss = mlp.Loss.MeanLoss();
            lastLoss = mlp.Loss.MeanLoss();
        }
        var after = Accuracy.Evaluate(mlp, testX, testY);

        Assert.True(before < 0.7, $"the untrained model already scores {before}: the test would not show learning");
        Assert.True(after > 0.95, $"held-out accuracy {after} after 300 steps (from {before})");
        Assert.True(lastLoss < firstLoss / 4, $"loss went from {firstLoss} to {lastLoss}");
    }
}
