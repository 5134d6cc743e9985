using ParameterServer.Kernels.Updates;

namespace ParameterServer.Kernels.Tests.Devices.Cuda;

/// <summary>The device updates against the scalar references of src/Kernels/Updates.</summary>
[Collection(IlgpuCollection.Name)]
public sealed class UpdateParityTests(ParityDevices devices)
{
    private const int N = 29;

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void SgdUpdate_matches_the_reference(string target)
    {
        var device = devices.Get(target);
        var w = DeviceData.Uniform(40, N);
        var g = DeviceData.Uniform(41, N);
        using var dw = device.Upload(w);
        using var dg = device.Upload(g);

        device.SgdUpdate(dw, dg, 0.1f, 0.01f, N);

        Sgd.Reference(w, g, 0.1f, 0.01f);
        DeviceData.Close(w, device.Download(dw), 1e-7f, 1e-6f);
    }

    [SkippableTheory]
    [MemberData(nameof(AdamCases))]
    public void AdamUpdate_matches_the_reference_over_several_steps(string target, bool decoupled)
    {
        var device = devices.Get(target);
        var w = DeviceData.Uniform(42, N);
        var m = new float[N];
        var v = new float[N];
        using var dw = device.Upload(w);
        using var dm = device.Upload(m);
        using var dv = device.Upload(v);

        for (var step = 1; step <= 3; step++)
        {
            var g = DeviceData.Uniform(43 + step, N);
            using var dg = device.Upload(g);
            device.AdamUpdate(dw, dg, dm, dv, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.1f, decoupled, step, N);
            Adam.Reference(w, g, m, v, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.1f, decoupled, step);
        }

        DeviceData.Close(w, device.Download(dw), 1e-6f, 1e-5f);
        DeviceData.Close(m, device.Download(dm), 1e-7f, 1e-5f);
        DeviceData.Close(v, device.Download(dv), 1e-9f, 1e-5f);
    }

    public static TheoryData<string, bool> AdamCases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var target in ParityDevices.All)
        {
            data.Add(target, false);
            data.Add(target, true);
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void AdamUpdate_rejects_step_zero_and_changes_nothing(string target)
    {
        var device = devices.Get(target);
        using var w = device.Upload(new[] { 1f });
        using var g = device.Upload(new[] { 1f });
        using var m = device.Upload(new[] { 0f });
        using var v = device.Upload(new[] { 0f });

        Assert.Throws<ArgumentOutOfRangeException>(() => device.AdamUpdate(w, g, m, v, 0.1f, 0.9f, 0.999f, 1e-8f, 0, false, 0, 1));
        Assert.Equal(new[] { 1f }, device.Download(w));
    }
}
