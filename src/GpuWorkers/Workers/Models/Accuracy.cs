using ParameterServer.Kernels.Devices;

namespace ParameterServer.Workers.Models;

/// <summary>
/// Classification accuracy: the arg-max of each row of logits against its label.
/// Example: <c>var acc = Accuracy.Evaluate(mlp, testImages, testLabels);</c>
/// </summary>
public sealed class Accuracy : IDisposable
{
    private readonly IDevice _device;
    private readonly DeviceBuffer<int> _predictions;
    private readonly int[] _hostPredictions;

    public Accuracy(IDevice device, int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _device = device;
        _predictions = device.Allocate<int>(maxBatch);
        _hostPredictions = new int[maxBatch];
    }

    /// <summary>How many of the labels.Length x classes logits pick their label; waits for the device.</summary>
    public int CountCorrect(DeviceBuffer<float> logits, ReadOnlySpan<int> labels, int classes)
    {
        Batches.Check(labels.Length, _hostPredictions.Length);
        _device.ArgMaxRows(logits, _predictions, labels.Length, classes);
        var predictions = _hostPredictions.AsSpan(0, labels.Length);
        _device.CopyToHost(_predictions, predictions);
        var correct = 0;
        for (var i = 0; i < labels.Length; i++)
            if (predictions[i] == labels[i]) correct++;
        return correct;
    }

    /// <summary>
    /// The fraction of samples the model classifies correctly, in batches of its largest batch; <paramref name="inputs"/>
    /// holds labels.Length rows of the model's input width.
    /// </summary>
    public static double Evaluate(Mlp model, ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels)
    {
        var width = model.Widths[0];
        if (labels.IsEmpty || inputs.Length != (long)labels.Length * width)
            throw new ArgumentException($"{inputs.Length} input values are not {labels.Length} samples of {width}, or there are none");
        var device = model.Device;
        using var batchInput = device.Allocate<float>((long)model.MaxBatch * width);
        using var accuracy = new Accuracy(device, model.MaxBatch);
        var correct = 0;
        for (var first = 0; first < labels.Length; first += model.MaxBatch)
        {
            var batch = Math.Min(model.MaxBatch, labels.Length - first);
            device.CopyToDevice(inputs.Slice(first * width, batch * width), batchInput);
            correct += accuracy.CountCorrect(model.Forward(batchInput, batch), labels.Slice(first, batch), model.Classes);
        }
        return (double)correct / labels.Length;
    }

    public void Dispose() => _predictions.Dispose();
}
