using System.Runtime.InteropServices;
using ParameterServer.Kernels.Devices.Cpu;
using ParameterServer.Kernels.Devices.Cuda;
using ParameterServer.Workers.Cache;

namespace ParameterServer.Workers.Tests.Cache;

public sealed class HostStagingTests
{
    [Fact]
    public void On_the_CPU_device_staging_is_a_plain_array()
    {
        using var cpu = new CpuDevice(threads: 1);
        using var staging = HostStaging.Allocate(cpu, 5);

        Assert.True(MemoryMarshal.TryGetArray<float>(staging.Memory, out var array));
        Assert.Equal(5, array.Count);
    }

    [Fact]
    public unsafe void On_an_ILGPU_device_staging_is_page_locked_memory_whose_address_never_moves()
    {
        using var gpu = IlgpuDevice.OpenCpuAccelerator();
        using var staging = HostStaging.Allocate(gpu, 1000);
        staging.Span.Fill(3f);
        staging.Span[999] = 4f;

        Assert.False(MemoryMarshal.TryGetArray<float>(staging.Memory, out _));
        using (var pin = staging.Memory[10..].Pin())
        {
            fixed (float* element = &staging.Span[10])
                Assert.True(pin.Pointer == element);
        }
        var device = gpu.Allocate<float>(1000);
        gpu.CopyToDevice<float>(staging.Span, device);
        var back = new float[1000];
        gpu.CopyToHost(device, back.AsSpan());
        Assert.Equal((3f, 4f), (back[0], back[999]));
        device.Dispose();
    }
}
