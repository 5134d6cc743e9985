using ParameterServer.Kernels.Devices;

namespace ParameterServer.Workers.Models;

/// <summary>y = max(x, 0) element-wise; backward passes the gradient where y &gt; 0. Example: <c>new Relu(device, 256, maxBatch: 128)</c>.</summary>
public sealed class Relu : ILayer
{
    private readonly IDevice _device;
    private readonly int _maxBatch;
    private readonly DeviceBuffer<float> _output;
    private readonly DeviceBuffer<float> _inputGradient;
    private long _count = -1;

    public Relu(IDevice device, int width, int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _device = device;
        _maxBatch = maxBatch;
        InputWidth = width;
        _output = device.Allocate<float>((long)maxBatch * width);
        _inputGradient = device.Allocate<float>((long)maxBatch * width);
    }

    public int InputWidth { get; }

    public int OutputWidth => InputWidth;

    public IReadOnlyList<ParameterTable> Parameters => [];

    public DeviceBuffer<float> Forward(DeviceBuffer<float> input, int batch)
    {
        Batches.Check(batch, _maxBatch);
        _count = (long)batch * InputWidth;
        _device.Relu(input, _output, _count);
        return _output;
    }

    public DeviceBuffer<float>? Backward(DeviceBuffer<float> outputGradient, bool needInputGradient)
    {
        if (_count < 0) throw new InvalidOperationException("Relu.Backward needs a Forward first");
        if (!needInputGradient) return null;
        _device.ReluBackward(_output, outputGradient, _inputGradient, _count);
        return _inputGradient;
    }

    public void Dispose()
    {
        _output.Dispose();
        _inputGradient.Dispose();
    }
}
