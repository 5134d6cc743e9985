using ParameterServer.Kernels.Devices;

namespace ParameterServer.Workers.Models;

/// <summary>
/// A fully connected layer y = x W^T + b, with W out x in and b 1 x out (PyTorch's convention), named tables
/// "{name}.weight" and "{name}.bias". Example: <c>using var fc1 = new Linear(device, "fc1", 784, 256, maxBatch: 128);</c>
/// </summary>
public sealed class Linear : ILayer
{
    private readonly IDevice _device;
    private readonly int _maxBatch;
    private readonly DeviceBuffer<float> _output;
    private DeviceBuffer<float>? _inputGradient;
    private DeviceBuffer<float>? _input;
    private int _batch;

    public Linear(IDevice device, string name, int inputWidth, int outputWidth, int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _device = device;
        _maxBatch = maxBatch;
        Weight = new ParameterTable(device, $"{name}.weight", outputWidth, inputWidth);
        Bias = new ParameterTable(device, $"{name}.bias", 1, outputWidth);
        Parameters = [Weight, Bias];
        _output = device.Allocate<float>((long)maxBatch * outputWidth);
    }

    public ParameterTable Weight { get; }

    public ParameterTable Bias { get; }

    public int InputWidth => Weight.Cols;

    public int OutputWidth => Weight.Rows;

    public IReadOnlyList<ParameterTable> Parameters { get; }

    public DeviceBuffer<float> Forward(DeviceBuffer<float> input, int batch)
    {
        Batches.Check(batch, _maxBatch);
        _device.Gemm(false, true, batch, OutputWidth, InputWidth, 1f, input, Weight.Value, 0f, _output);
        _device.AddBias(_output, Bias.Value, batch, OutputWidth);
        _input = input;
        _batch = batch;
        return _output;
    }

    /// <summary>dW = dy^T x, db = column sums of dy, dx = dy W; the mean over the batch is already in dy.</summary>
    public DeviceBuffer<float>? Backward(DeviceBuffer<float> outputGradient, bool needInputGradient)
    {
        var input = _input ?? throw new InvalidOperationException("Linear.Backward needs a Forward first");
        _device.Gemm(true, false, OutputWidth, InputWidth, _batch, 1f, outputGradient, input, 0f, Weight.Gradient);
        _device.ColumnSums(outputGradient, Bias.Gradient, _batch, OutputWidth);
        if (!needInputGradient) return null;
        _inputGradient ??= _device.Allocate<float>((long)_maxBatch * InputWidth);
        _device.Gemm(false, false, _batch, InputWidth, OutputWidth, 1f, outputGradient, Weight.Value, 0f, _inputGradient);
        return _inputGradient;
    }

    public void Dispose()
    {
        Weight.Dispose();
        Bias.Dispose();
        _output.Dispose();
        _inputGradient?.Dispose();
    }
}
