
namespace ParameterServer.Kernels.Tests.Devices.Cuda;

[Collection(IlgpuCollection.Name)]
public sealed class ElementwiseParityTests(ParityDevices devices)
{
    private const int N = 37;

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void Relu_keeps_positives_and_zeroes_the_rest_in_place(string target)
    {
        var device = devices.Get(target);
        var x = DeviceData.Uniform(10, N);
        using var dx = device.Upload(x);

        device.Relu(dx, dx, N);

        Assert.Equal(x.Select(v => v > 0 ? v : 0f), device.Download(dx));
    }

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void ReluBackward_passes_the_gradient_where_the_output_is_positive(string target)
    {
        var device = devices.Get(target);
        var y = DeviceData.Uniform(11, N).Select(v => v > 0 ? v : 0f).ToArray();
        var dy = DeviceData.Uniform(12, N);
        using var dyBuffer = device.Upload(y);
        using var gradient = device.Upload(dy);
        using var dx = device.Allocate<float>(N);

        device.ReluBackward(dyBuffer, gradient, dx, N);

        Assert.Equal(y.Select((v, i) => v > 0 ? dy[i] : 0f), device.Download(dx));
    }

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void Axpy_accumulates_only_the_first_n_elements(string target)
    {
        var device = devices.Get(target);
        var x = DeviceData.Uniform(13, N);
        var y = DeviceData.Uniform(14, N);
        using var dx = device.Upload(x);
        using var dy = device.Upload(y);

        device.Axpy(-0.25f, dx, dy, N - 5);

        var expected = y.Select((v, i) => i < N - 5 ? v + -0.25f * x[i] : v).ToArray();
        DeviceData.Close(expected, device.Download(dy), 1e-7f, 1e-6f);
    }

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void Fill_sets_the_first_n_elements(string target)
    {
        var device = devices.Get(target);
        using var x = device.Upload(new float[N]);

        device.Fill(x, 1.5f, N - 1);

        Assert.Equal(Enumerable.Repeat(1.5f, N - 1).Append(0f), device.Download(x));
    }
}
