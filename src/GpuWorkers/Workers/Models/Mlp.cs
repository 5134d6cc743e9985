using ParameterServer.Kernels.Devices;

namespace ParameterServer.Workers.Models;

/// <summary>
/// A multi-layer perceptron classifier: Linear layers "fc1".."fcN" between the given widths, ReLU after each but the
/// last, softmax cross-entropy on the logits. Its <see cref="Parameters"/> are the parameter-server tables, e.g. for
/// 784-256-128-10: fc1.weight [256 x 784], fc1.bias [1 x 256], fc2.weight [128 x 256], ... fc3.bias [1 x 10].
/// Example: <c>using var mlp = new Mlp(device, [784, 256, 128, 10], maxBatch: 128); mlp.ComputeGradients(x, y, 128);</c>
/// </summary>
public sealed class Mlp : IDisposable
{
    private readonly ILayer[] _layers;

    public Mlp(IDevice device, IReadOnlyList<int> widths, int maxBatch)
    {
        if (widths.Count < 2 || widths.Any(w => w < 1))
            throw new ArgumentException($"an MLP needs at least an input and an output width, all positive; got [{string.Join(", ", widths)}]", nameof(widths));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        Device = device;
        Widths = [.. widths];
        MaxBatch = maxBatch;
        var layers = new List<ILayer>();
        for (var i = 0; i + 1 < widths.Count; i++)
        {
            layers.Add(new Linear(device, $"fc{i + 1}", widths[i], widths[i + 1], maxBatch));
            if (i + 2 < widths.Count) layers.Add(new Relu(device, widths[i + 1], maxBatch));
        }
        _layers = [.. layers];
        Parameters = [.. _layers.SelectMany(l => l.Parameters)];
        Loss = new SoftmaxCrossEntropy(device, widths[^1], maxBatch);
    }

    public IDevice Device { get; }

    public IReadOnlyList<int> Widths { get; }

    public int MaxBatch { get; }

    public int Classes => Widths[^1];

    public IReadOnlyList<ILayer> Layers => _layers;

    /// <summary>Every trainable table in layer order: fc1.weight, fc1.bias, fc2.weight, ...</summary>
    public IReadOnlyList<ParameterTable> Parameters { get; }

    public SoftmaxCrossEntropy Loss { get; }

    /// <summary>The logits (batch x classes) of a batch x inputs block of samples.</summary>
    public DeviceBuffer<float> Forward(DeviceBuffer<float> input, int batch)
    {
        var x = input;
        foreach (var layer in _layers) x = layer.Forward(x, batch);
        return x;
    }

    /// <summary>
    /// Forward, loss and backward for one batch: afterwards every table's <see cref="ParameterTable.Gradient"/> holds
    /// d(mean loss)/d(value) and <see cref="SoftmaxCrossEntropy.MeanLoss"/> the loss.
    /// </summary>
    public void ComputeGradients(DeviceBuffer<float> input, DeviceBuffer<int> labels, int batch)
    {
        Loss.Forward(Forward(input, batch), labels, batch);
        var gradient = Loss.Gradient;
        for (var i = _layers.Length - 1; i >= 0; i--)
            gradient = _layers[i].Backward(gradient, needInputGradient: i > 0)!;
    }

    public void Dispose()
    {
        foreach (var layer in _layers) layer.Dispose();
        Loss.Dispose();
    }
}
