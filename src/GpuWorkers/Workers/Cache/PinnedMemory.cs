using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ParameterServer.Kernels.Devices.Cuda;

namespace ParameterServer.Workers.Cache;

/// <summary>
/// Page-locked host memory seen as <see cref="Memory{T}"/>, so that the client API pulls straight into the buffer
/// the GPU copies from. The memory never moves, so pinning it is taking its address.
/// </summary>
internal sealed unsafe class PinnedMemory : MemoryManager<float>
{
    private readonly PinnedHostBuffer<float> _buffer;

    public PinnedMemory(IlgpuDevice device, long length)
    {
        if (length > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(length), length, "a staging buffer holds at most int.MaxValue values");
        _buffer = device.AllocatePinned<float>(length);
    }

    public override Span<float> GetSpan() => _buffer.Span;

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)_buffer.Length, nameof(elementIndex));
        return new MemoryHandle(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetReference(_buffer.Span), elementIndex)));
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _buffer.Dispose();
    }
}
