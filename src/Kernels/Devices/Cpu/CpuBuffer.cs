namespace ParameterServer.Kernels.Devices.Cpu;

/// <summary>
/// A <see cref="DeviceBuffer{T}"/> in managed host memory, zeroed on allocation. Example:
/// <c>using var b = (CpuBuffer&lt;float&gt;)device.Allocate&lt;float&gt;(n); b.AsSpan()[0] = 1;</c>
/// </summary>
public sealed class CpuBuffer<T> : DeviceBuffer<T> where T : unmanaged
{
    private T[]? _data;

    internal CpuBuffer(CpuDevice device, long length)
        : base(device, length)
    {
        if (length < 0 || length > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"a CPU buffer holds 0 to {Array.MaxLength} elements");
        _data = new T[length];
    }

    /// <summary>All elements; throws once the buffer is disposed.</summary>
    public Span<T> AsSpan() => _data ?? throw new ObjectDisposedException(nameof(CpuBuffer<T>));

    /// <summary>The leading <paramref name="length"/> elements.</summary>
    public Span<T> AsSpan(long length) => AsSpan()[..checked((int)length)];

    public override void Dispose() => _data = null;
}
