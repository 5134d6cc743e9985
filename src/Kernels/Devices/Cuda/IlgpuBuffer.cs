using ILGPU;
using ILGPU.Runtime;

namespace ParameterServer.Kernels.Devices.Cuda;

/// <summary>A <see cref="DeviceBuffer{T}"/> in an ILGPU accelerator's memory; offsets become sub-views.</summary>
internal sealed class IlgpuBuffer<T> : DeviceBuffer<T> where T : unmanaged
{
    private readonly MemoryBuffer1D<T, Stride1D.Dense> _memory;

    public IlgpuBuffer(IlgpuDevice device, MemoryBuffer1D<T, Stride1D.Dense> memory)
        : base(device, memory.Length)
    {
        _memory = memory;
    }

    public ArrayView1D<T, Stride1D.Dense> View => _memory.View;

    public override void Dispose() => _memory.Dispose();
}
