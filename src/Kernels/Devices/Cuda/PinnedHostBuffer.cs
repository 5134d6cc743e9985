using ILGPU.Runtime;

namespace ParameterServer.Kernels.Devices.Cuda;

/// <summary>
/// Page-locked host memory, the source or target of <see cref="IlgpuDevice.CopyToDeviceAsync{T}"/> and
/// <see cref="IlgpuDevice.CopyToHostAsync{T}"/>: the GPU reads and writes it by DMA while the host goes on.
/// Example: <c>using var staging = device.AllocatePinned&lt;float&gt;(n); values.CopyTo(staging.Span);</c>
/// </summary>
public sealed class PinnedHostBuffer<T> : IDisposable where T : unmanaged
{
    internal PinnedHostBuffer(IlgpuDevice device, PageLockedArray1D<T> array)
    {
        Device = device;
        Array = array;
    }

    public IlgpuDevice Device { get; }

    public long Length => Array.Length;

    /// <summary>The host values; do not touch them while a copy from or into this buffer is in flight.</summary>
    public Span<T> Span => Array.Span;

    internal PageLockedArray1D<T> Array { get; }

    public void Dispose() => Array.Dispose();
}
