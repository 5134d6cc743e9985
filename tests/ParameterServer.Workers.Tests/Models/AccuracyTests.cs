using ParameterServer.Kernels.Devices.Cpu;
using ParameterServer.Workers.Models;

namespace ParameterServer.Workers.Tests.Models;

public class AccuracyTests
{
    [Fact]
    public void CountCorrect_compares_the_arg_max_of_each_row_with_its_label()
    {
        using var cpu = new CpuDevice(threads: 1);
        using var accuracy = new Accuracy(cpu, maxBatch: 4);
        // arg-max per row: 2, 0, 1 (first of the tie), 2; labels 2, 1, 1, 0: rows 0 and 2 are right.
        using var logits = ModelSetup.Upload(cpu, new float[] { 0, 1, 2, /**/ 5, -1, 3, /**/ 0, 4, 4, /**/ -3, -2, -1 });
        Assert.Equal(2, accuracy.CountCorrect(logits, [2, 1, 1, 0], classes: 3));
    }

    [Fact]
    public void Evaluate_walks_the_data_in_batches_including_a_partial_last_one()
    {
        using var cpu = new CpuDevice(threads: 1);
        // One linear layer with W = identity and b = 0: the logits are the inputs, the prediction their arg-max.
        using var mlp = new Mlp(cpu, [2, 2], maxBatch: 2);
        cpu.CopyToDevice<float>([1, 0, 0, 1], mlp.Parameters[0].Value);
        cpu.CopyToDevice<float>([0, 0], mlp.Parameters[1].Value);
        float[] inputs = [3, 1, /**/ 0, 2, /**/ 5, 4, /**/ 1, 9, /**/ 2, 7];
        int[] labels = [0, 1, 1, 1, 0]; // predictions 0, 1, 0, 1, 1: three of five right
        Assert.Equal(0.6, Accuracy.Evaluate(mlp, inputs, labels), 12);
        Assert.Throws<ArgumentException>(() => Accuracy.Evaluate(mlp, inputs.AsSpan(1), labels));
    }
}
