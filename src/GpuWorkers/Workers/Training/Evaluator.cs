using ParameterServer.Kernels.Devices;
using ParameterServer.Workers.Data;
using ParameterServer.Workers.Models;

namespace ParameterServer.Workers.Training;

/// <summary>The accuracy and mean loss of a model on a labeled set. Example: <c>var (accuracy, loss) = evaluator.Run(mlp);</c></summary>
public sealed class Evaluator : IDisposable
{
    private readonly LabeledImages _set;
    private readonly BatchIterator _batches;
    private readonly float[] _inputs;
    private readonly int[] _labels;
    private readonly DeviceBuffer<float> _deviceInputs;
    private readonly DeviceBuffer<int> _deviceLabels;
    private readonly Accuracy _accuracy;

    /// <summary>Evaluates on every sample of <paramref name="set"/>, in batches of the model's largest batch.</summary>
    public Evaluator(Mlp model, LabeledImages set, Normalization normalization)
    {
        if (set.PixelsPerImage != model.Widths[0])
            throw new ArgumentException($"images of {set.PixelsPerImage} pixels do not fit a model of input width {model.Widths[0]}", nameof(set));
        _set = set;
        _batches = new BatchIterator(set, normalization, model.MaxBatch, Permutation.Identity(set.Count));
        _inputs = new float[_batches.InputLength];
        _labels = new int[model.MaxBatch];
        _deviceInputs = model.Device.Allocate<float>(_inputs.Length);
        _deviceLabels = model.Device.Allocate<int>(_labels.Length);
        _accuracy = new Accuracy(model.Device, model.MaxBatch);
    }

    public int Samples => _set.Count;

    /// <summary>The fraction of samples classified correctly and the mean cross-entropy loss, with the device values as they are.</summary>
    public (double Accuracy, double Loss) Run(Mlp model)
    {
        _batches.Reset();
        var device = model.Device;
        var correct = 0;
        var lossSum = 0.0;
        int rows;
        while ((rows = _batches.Next(_inputs, _labels)) > 0)
        {
            device.CopyToDevice<float>(_inputs.AsSpan(0, rows * _set.PixelsPerImage), _deviceInputs);
            device.CopyToDevice<int>(_labels.AsSpan(0, rows), _deviceLabels);
            var logits = model.Forward(_deviceInputs, rows);
            model.Loss.Forward(logits, _deviceLabels, rows);
            lossSum += model.Loss.MeanLoss() * rows;
            correct += _accuracy.CountCorrect(logits, _labels.AsSpan(0, rows), model.Classes);
        }
        return ((double)correct / _set.Count, lossSum / _set.Count);
    }

    public void Dispose()
    {
        _deviceInputs.Dispose();
        _deviceLabels.Dispose();
        _accuracy.Dispose();
    }
}
