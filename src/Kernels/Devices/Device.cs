using ParameterServer.Kernels.Devices.Cpu;

namespace ParameterServer.Kernels.Devices;

/// <summary>Opens devices by name. Example: <c>using var d = Device.Open("auto");</c></summary>
public static class Device
{
    /// <summary>
    /// "auto" picks cuda:0 when a CUDA device can be opened and the CPU otherwise; "cpu"; "cuda:N". A named CUDA device
    /// that cannot be opened is an error that says why.
    /// </summary>
    public static IDevice Open(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
            return TryOpenCuda(0, out _) ?? new CpuDevice();
        var name = DeviceName.Parse(spec);
        if (name.Kind == DeviceKind.Cpu) return new CpuDevice();
        return TryOpenCuda(name.Index, out var reason) ?? throw new InvalidOperationException($"cannot open {name}: {reason}");
    }

    /// <summary>
    /// The one place the CUDA device plugs in: returns it when CUDA device <paramref name="index"/> can be opened,
    /// else null and the reason.
    /// </summary>
    private static IDevice? TryOpenCuda(int index, out string reason) =>
        Cuda.IlgpuDevice.TryOpenCuda(index, out var device, out reason) ? device : null;
}
