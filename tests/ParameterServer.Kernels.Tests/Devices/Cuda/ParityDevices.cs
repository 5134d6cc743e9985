using ParameterServer.Kernels.Devices.Cuda;

namespace ParameterServer.Kernels.Tests.Devices.Cuda;

/// <summary>
/// The devices every parity test runs on, opened once for the test collection (compiling the kernels is the slow
/// part): ILGPU's CPU accelerator, always, and cuda:0, which is skipped with the reason where none opens.
/// </summary>
public sealed class ParityDevices : IDisposable
{
    public const string CpuAccelerator = "ilgpu-cpu";
    public const string Cuda = "cuda:0";

    private readonly Lazy<IlgpuDevice> _cpu = new(IlgpuDevice.OpenCpuAccelerator);
    private readonly Lazy<(IlgpuDevice? Device, string WhyNot)> _cuda = new(() =>
        IlgpuDevice.TryOpenCuda(0, out var device, out var whyNot) ? (device, "") : (null, whyNot));

    public static readonly string[] All = [CpuAccelerator, Cuda];

    /// <summary>The targets of a parity theory.</summary>
    public static TheoryData<string> Targets => [.. All];

    public IlgpuDevice Get(string target)
    {
        if (target == CpuAccelerator) return _cpu.Value;
        var (device, whyNot) = _cuda.Value;
        Skip.If(device is null, $"no CUDA device: {whyNot}");
        return device!;
    }

    public void Dispose()
    {
        if (_cpu.IsValueCreated) _cpu.Value.Dispose();
        if (_cuda.IsValueCreated) _cuda.Value.Device?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class IlgpuCollection : ICollectionFixture<ParityDevices>
{
    public const string Name = "ilgpu devices";
}
