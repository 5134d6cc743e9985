using ParameterServer.Kernels.Devices.Cuda;

namespace ParameterServer.Kernels.Tests.Devices.Cuda;

[Collection(IlgpuCollection.Name)]
public sealed class CopyTests(ParityDevices devices)
{
    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void Copies_honour_offsets_both_ways(string target)
    {
        var device = devices.Get(target);
        using var buffer = device.Upload(new float[6]);

        device.CopyToDevice<float>([1f, 2f, 3f], buffer, dstOffset: 2);
        var tail = new float[3];
        device.CopyToHost(buffer, tail, srcOffset: 3);

        Assert.Equal(new[] { 0f, 0, 1, 2, 3, 0 }, device.Download(buffer));
        Assert.Equal(new[] { 2f, 3, 0 }, tail);
    }

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void Copies_out_of_range_throw_and_change_nothing(string target)
    {
        var device = devices.Get(target);
        using var buffer = device.Upload(new[] { 7f, 7f });

        Assert.Throws<ArgumentOutOfRangeException>(() => device.CopyToDevice<float>([1f, 2f], buffer, dstOffset: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => device.CopyToHost(buffer, new float[3]));
        Assert.Equal(new[] { 7f, 7f }, device.Download(buffer));
    }

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void A_buffer_of_another_device_is_rejected(string target)
    {
        var device = devices.Get(target);
        using var other = IlgpuDevice.OpenCpuAccelerator();
        using var foreign = other.Allocate<float>(4);

        Assert.Throws<ArgumentException>(() => device.Fill(foreign, 1f, 4));
    }

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void Asynchronous_copies_through_pinned_memory_round_trip(string target)
    {
        var device = devices.Get(target);
        using var staging = device.AllocatePinned<float>(4);
        using var back = device.AllocatePinned<float>(3);
        using var buffer = device.Upload(new float[5]);
        float[] values = [1f, -2f, 3.5f, 4f];
        values.CopyTo(staging.Span);

        device.CopyToDeviceAsync(staging, buffer, dstOffset: 1);
        device.SynchronizeCopies();
        device.Axpy(1f, buffer, buffer, 5);
        device.Synchronize();
        device.CopyToHostAsync(buffer, back, srcOffset: 2);
        device.SynchronizeCopies();

        Assert.Equal(new[] { -4f, 7f, 8f }, back.Span.ToArray());
    }
}
