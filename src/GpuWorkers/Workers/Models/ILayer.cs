using ParameterServer.Kernels.Devices;

namespace ParameterServer.Workers.Models;

/// <summary>
/// A layer of a feed-forward model on a device. Activations are batch-major (batch x width, row-major); a layer owns
/// its output and input-gradient buffers, sized for its largest batch, and they stay valid until its next call.
/// </summary>
public interface ILayer : IDisposable
{
    int InputWidth { get; }

    int OutputWidth { get; }

    /// <summary>The layer's trainable tables (none for an activation).</summary>
    IReadOnlyList<ParameterTable> Parameters { get; }

    /// <summary>The output for a batch of inputs. The layer keeps what backward needs, <paramref name="input"/> included: leave it unchanged until <see cref="Backward"/>.</summary>
    DeviceBuffer<float> Forward(DeviceBuffer<float> input, int batch);

    /// <summary>
    /// From d(loss)/d(output) of the last forward batch, writes the gradients of <see cref="Parameters"/> and returns
    /// d(loss)/d(input) when <paramref name="needInputGradient"/> (the first layer of a model does not need it).
    /// </summary>
    DeviceBuffer<float>? Backward(DeviceBuffer<float> outputGradient, bool needInputGradient);
}
