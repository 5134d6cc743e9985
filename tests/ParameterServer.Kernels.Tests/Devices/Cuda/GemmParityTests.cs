
namespace ParameterServer.Kernels.Tests.Devices.Cuda;

[Collection(IlgpuCollection.Name)]
public sealed class GemmParityTests(ParityDevices devices)
{
    /// <summary>Odd shapes that cut every tile (4 wide on the CPU accelerator, 16 on a GPU) in all four transposes.</summary>
    public static TheoryData<string, bool, bool, int, int, int> Cases()
    {
        var data = new TheoryData<string, bool, bool, int, int, int>();
        foreach (var target in ParityDevices.All)
            foreach (var (transA, transB) in new[] { (false, false), (true, false), (false, true), (true, true) })
            {
                data.Add(target, transA, transB, 7, 5, 9);
                data.Add(target, transA, transB, 1, 17, 3);
                data.Add(target, transA, transB, 18, 1, 33);
            }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Gemm_matches_the_scalar_reference(string target, bool transA, bool transB, int m, int n, int k)
    {
        var device = devices.Get(target);
        var a = DeviceData.Uniform(1, m * k);
        var b = DeviceData.Uniform(2, k * n);
        var c = DeviceData.Uniform(3, m * n);
        using var da = device.Upload(a);
        using var db = device.Upload(b);
        using var dc = device.Upload(c);

        device.Gemm(transA, transB, m, n, k, 0.5f, da, db, 2f, dc);

        DeviceData.Close(ScalarReference.Gemm(transA, transB, m, n, k, 0.5f, a, b, 2f, c), device.Download(dc), 1e-5f, 1e-5f);
    }

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void Gemm_with_beta_zero_ignores_what_C_held(string target)
    {
        var device = devices.Get(target);
        // [1 2; 3 4] x [5 6; 7 8] = [1*5+2*7 1*6+2*8; 3*5+4*7 3*6+4*8] = [19 22; 43 50].
        using var a = device.Upload(new[] { 1f, 2, 3, 4 });
        using var b = device.Upload(new[] { 5f, 6, 7, 8 });
        using var c = device.Upload(new[] { float.NaN, float.NaN, float.NaN, float.NaN });

        device.Gemm(false, false, 2, 2, 2, 1f, a, b, 0f, c);

        Assert.Equal(new[] { 19f, 22, 43, 50 }, device.Download(c));
    }

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void Gemm_rejects_a_buffer_too_small_for_the_shape(string target)
    {
        var device = devices.Get(target);
        using var a = device.Upload(new float[6]);
        using var b = device.Upload(new float[6]);
        using var c = device.Upload(new float[3]);

        Assert.Throws<ArgumentOutOfRangeException>(() => device.Gemm(false, false, 2, 2, 3, 1f, a, b, 0f, c));
        Assert.Equal(new float[3], device.Download(c));
    }
}
