using ParameterServer.Kernels.Devices;

namespace ParameterServer.Workers.Models;

/// <summary>
/// The loss of a classifier: softmax of the logits, cross-entropy against integer labels, averaged over the batch.
/// Example: <c>loss.Forward(logits, labels, batch); model.Backward(loss.Gradient); var l = loss.MeanLoss();</c>
/// </summary>
public sealed class SoftmaxCrossEntropy : IDisposable
{
    private readonly IDevice _device;
    private readonly int _maxBatch;
    private readonly DeviceBuffer<float> _losses;
    private readonly float[] _hostLosses;
    private int _batch;

    public SoftmaxCrossEntropy(IDevice device, int classes, int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _device = device;
        _maxBatch = maxBatch;
        Classes = classes;
        _losses = device.Allocate<float>(maxBatch);
        _hostLosses = new float[maxBatch];
        Gradient = device.Allocate<float>((long)maxBatch * classes);
    }

    public int Classes { get; }

    /// <summary>d(mean loss)/d(logits) of the last batch, batch x classes.</summary>
    public DeviceBuffer<float> Gradient { get; }

    /// <summary>Per-sample losses and <see cref="Gradient"/> for a batch x classes block of logits.</summary>
    public void Forward(DeviceBuffer<float> logits, DeviceBuffer<int> labels, int batch)
    {
        Batches.Check(batch, _maxBatch);
        _device.SoftmaxCrossEntropy(logits, labels, _losses, Gradient, batch, Classes);
        _batch = batch;
    }

    /// <summary>The mean loss of the last batch, summed in double on the host; waits for the device.</summary>
    public double MeanLoss()
    {
        if (_batch == 0) throw new InvalidOperationException("no batch has been through the loss yet");
        var losses = _hostLosses.AsSpan(0, _batch);
        _device.CopyToHost(_losses, losses);
        double sum = 0;
        foreach (var l in losses) sum += l;
        return sum / _batch;
    }

    public void Dispose()
    {
        _losses.Dispose();
        Gradient.Dispose();
    }
}
