using ParameterServer.Kernels.Devices;

namespace ParameterServer.Benchmarks.GpuCheck;

/// <summary>
/// One SGD training step of a ReLU MLP on any <see cref="IDevice"/>, written with the device's operations only:
/// forward (GEMM, bias, ReLU), softmax cross-entropy, backward (transposed GEMMs, column sums, ReLU backward),
/// update. Weights are seeded identically on every device, so two devices can be compared step by step.
/// </summary>
internal sealed class MlpStep : IDisposable
{
    private readonly IDevice _device;
    private readonly int[] _widths;
    private readonly int _batch;
    private readonly DeviceBuffer<float>[] _weights;
    private readonly DeviceBuffer<float>[] _biases;
    private readonly DeviceBuffer<float>[] _weightGradients;
    private readonly DeviceBuffer<float>[] _biasGradients;
    private readonly DeviceBuffer<float>[] _activations;
    private readonly DeviceBuffer<float>[] _deltas;
    private readonly DeviceBuffer<int> _labels;
    private readonly DeviceBuffer<float> _losses;
    private readonly float[] _lossHost;

    public MlpStep(IDevice device, int[] widths, int batch, int seed)
    {
        _device = device;
        _widths = widths;
        _batch = batch;
        var layers = widths.Length - 1;
        _weights = new DeviceBuffer<float>[layers];
        _biases = new DeviceBuffer<float>[layers];
        _weightGradients = new DeviceBuffer<float>[layers];
        _biasGradients = new DeviceBuffer<float>[layers];
        _deltas = new DeviceBuffer<float>[layers];
        _activations = new DeviceBuffer<float>[layers + 1];
        var random = new Random(seed);
        for (var l = 0; l < layers; l++)
        {
            // He initialization: uniform with variance 2 / fan-in.
            var bound = MathF.Sqrt(6f / widths[l]);
            _weights[l] = Upload(Seeded(random, widths[l] * widths[l + 1], bound));
            _biases[l] = Upload(new float[widths[l + 1]]);
            _weightGradients[l] = device.Allocate<float>(widths[l] * widths[l + 1]);
            _biasGradients[l] = device.Allocate<float>(widths[l + 1]);
            _deltas[l] = device.Allocate<float>(batch * widths[l + 1]);
        }
        _activations[0] = Upload(Seeded(random, batch * widths[0], 1f));
        for (var l = 1; l <= layers; l++) _activations[l] = device.Allocate<float>(batch * widths[l]);
        var labels = new int[batch];
        for (var i = 0; i < batch; i++) labels[i] = random.Next(widths[^1]);
        _labels = device.Allocate<int>(batch);
        device.CopyToDevice<int>(labels, _labels);
        _losses = device.Allocate<float>(batch);
        _lossHost = new float[batch];
    }

    /// <summary>Queues one step; the mean loss of the batch is read back only when asked (it synchronizes).</summary>
    public void Step(float learningRate)
    {
        var layers = _widths.Length - 1;
        for (var l = 0; l < layers; l++)
        {
            _device.Gemm(false, false, _batch, _widths[l + 1], _widths[l], 1f, _activations[l], _weights[l], 0f, _activations[l + 1]);
            _device.AddBias(_activations[l + 1], _biases[l], _batch, _widths[l + 1]);
            if (l < layers - 1) _device.Relu(_activations[l + 1], _activations[l + 1], (long)_batch * _widths[l + 1]);
        }
        _device.SoftmaxCrossEntropy(_activations[layers], _labels, _losses, _deltas[layers - 1], _batch, _widths[^1]);
        for (var l = layers - 1; l >= 0; l--)
        {
            _device.Gemm(true, false, _widths[l], _widths[l + 1], _batch, 1f, _activations[l], _deltas[l], 0f, _weightGradients[l]);
            _device.ColumnSums(_deltas[l], _biasGradients[l], _batch, _widths[l + 1]);
            if (l > 0)
            {
                _device.Gemm(false, true, _batch, _widths[l], _widths[l + 1], 1f, _deltas[l], _weights[l], 0f, _deltas[l - 1]);
                _device.ReluBackward(_activations[l], _deltas[l - 1], _deltas[l - 1], (long)_batch * _widths[l]);
            }
        }
        for (var l = 0; l < layers; l++)
        {
            _device.SgdUpdate(_weights[l], _weightGradients[l], learningRate, 0f, (long)_widths[l] * _widths[l + 1]);
            _device.SgdUpdate(_biases[l], _biasGradients[l], learningRate, 0f, _widths[l + 1]);
        }
    }

    public float MeanLoss()
    {
        _device.CopyToHost(_losses, _lossHost);
        return _lossHost.Average();
    }

    public void Dispose()
    {
        foreach (var buffer in _weights.Concat(_biases).Concat(_weightGradients).Concat(_biasGradients).Concat(_deltas).Concat(_activations))
            buffer.Dispose();
        _labels.Dispose();
        _losses.Dispose();
    }

    private DeviceBuffer<float> Upload(float[] values)
    {
        var buffer = _device.Allocate<float>(values.Length);
        _device.CopyToDevice<float>(values, buffer);
        return buffer;
    }

    private static float[] Seeded(Random random, int n, float bound)
    {
        var values = new float[n];
        for (var i = 0; i < n; i++) values[i] = bound * (2f * random.NextSingle() - 1f);
        return values;
    }
}
