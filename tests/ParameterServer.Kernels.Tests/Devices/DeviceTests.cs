using ParameterServer.Kernels.Devices;
using ParameterServer.Kernels.Devices.Cpu;

namespace ParameterServer.Kernels.Tests.Devices;

public class DeviceTests
{
    [Theory]
    [InlineData("cpu", DeviceKind.Cpu, 0)]
    [InlineData(" CPU ", DeviceKind.Cpu, 0)]
    [InlineData("cuda", DeviceKind.Cuda, 0)]
    [InlineData("cuda:0", DeviceKind.Cuda, 0)]
    [InlineData("CUDA:3", DeviceKind.Cuda, 3)]
    public void DeviceName_parses_cpu_and_cuda(string text, DeviceKind kind, int index)
    {
        var name = DeviceName.Parse(text);
        Assert.Equal(new DeviceName(kind, index), name);
        Assert.Equal(name, DeviceName.Parse(name.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("auto")]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("cpu:0")]
    public void DeviceName_rejects_anything_else(string text) =>
        Assert.Throws<FormatException>(() => DeviceName.Parse(text));

    [Fact]
    public void DeviceName_prints_as_it_parses()
    {
        Assert.Equal("cpu", DeviceName.Cpu.ToString());
        Assert.Equal("cuda:2", DeviceName.Cuda(2).ToString());
    }

    [Fact]
    public void Open_cpu_gives_a_cpu_device_with_a_thread_per_processor()
    {
        using var device = Device.Open("cpu");
        var cpu = Assert.IsType<CpuDevice>(device);
        Assert.Equal(DeviceName.Cpu, cpu.Name);
        Assert.Equal(Environment.ProcessorCount, cpu.Threads);
    }

    [Fact]
    public void Open_auto_gives_cuda_0_or_the_cpu()
    {
        using var device = Device.Open("auto");
        Assert.True(device.Name == DeviceName.Cpu ? device is CpuDevice : device.Name == DeviceName.Cuda(0), $"auto opened {device.Name}");
    }

    [Fact]
    public void Open_rejects_a_cuda_device_it_cannot_open_and_unknown_names()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Device.Open("cuda:99"));
        Assert.Contains("cuda:99", error.Message);
        Assert.Throws<FormatException>(() => Device.Open("tpu"));
    }
}
