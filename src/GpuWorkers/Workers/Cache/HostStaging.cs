using ParameterServer.Kernels.Devices;
using ParameterServer.Kernels.Devices.Cuda;

namespace ParameterServer.Workers.Cache;

/// <summary>
/// Host memory that a table's values and gradients pass through between the device and the parameter server:
/// page-locked on a CUDA device (the GPU reads and writes it by DMA), a plain array on the CPU device.
/// Example: <c>using var staging = HostStaging.Allocate(device, table.Length); await replica.RefreshAsync();</c>
/// </summary>
internal sealed class HostStaging : IDisposable
{
    private readonly IDisposable? _owner;

    private HostStaging(Memory<float> memory, IDisposable? owner)
    {
        Memory = memory;
        _owner = owner;
    }

    public Memory<float> Memory { get; }

    public Span<float> Span => Memory.Span;

    public static HostStaging Allocate(IDevice device, long length)
    {
        if (device is IlgpuDevice gpu)
        {
            var pinned = new PinnedMemory(gpu, length);
            return new HostStaging(pinned.Memory, pinned);
        }
        return new HostStaging(new float[length], owner: null);
    }

    public void Dispose() => _owner?.Dispose();
}
