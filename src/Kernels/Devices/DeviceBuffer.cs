namespace ParameterServer.Kernels.Devices;

/// <summary>
/// A contiguous array of <typeparamref name="T"/> in a device's memory (host memory for the CPU device).
/// Owned by the code that allocated it; dispose to free. Offsets and lengths are in elements.
/// </summary>
public abstract class DeviceBuffer<T> : IDisposable where T : unmanaged
{
    protected DeviceBuffer(IDevice device, long length)
    {
        Device = device;
        Length = length;
    }

    public IDevice Device { get; }

    public long Length { get; }

    public abstract void Dispose();
}
