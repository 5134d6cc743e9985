using System.Runtime.Intrinsics.X86;
using ParameterServer.Kernels.Devices.Cpu;

namespace ParameterServer.Kernels.Tests.Devices;

public class CpuGemmTests
{
    public static TheoryData<int, int, int, bool, bool> Cases()
    {
        // Odd sizes leave partial 6 x 16 tiles on every edge. 130x70x260 and 200x40x600 give 3 threads a row range each
        // (over 1 MFLOP per thread); 6x700x400 splits columns instead. 600 cuts the depth into blocks, 200 rows make two
        // row blocks, 2100 columns two column blocks.
        (int M, int N, int K)[] shapes = [(1, 1, 1), (3, 5, 7), (17, 33, 65), (130, 70, 260), (200, 40, 600), (6, 700, 400), (7, 2100, 3)];
        var data = new TheoryData<int, int, int, bool, bool>();
        foreach (var (m, n, k) in shapes)
            foreach (var transA in new[] { false, true })
                foreach (var transB in new[] { false, true })
                    data.Add(m, n, k, transA, transB);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Fma_kernel_matches_the_reference_on_one_and_three_threads(int m, int n, int k, bool transA, bool transB)
    {
        Skip.IfNot(Fma.IsSupported, "this CPU has no FMA3");
        CheckAgainstReference(m, n, k, transA, transB, useFma: true);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Portable_kernel_matches_the_reference_on_one_and_three_threads(int m, int n, int k, bool transA, bool transB) =>
        CheckAgainstReference(m, n, k, transA, transB, useFma: false);

    private static void CheckAgainstReference(int m, int n, int k, bool transA, bool transB, bool useFma)
    {
        const float alpha = 0.75f, beta = -0.5f;
        var a = Seeded.Uniform(m * k, 1);
        var b = Seeded.Uniform(k * n, 2);
        var c0 = Seeded.Uniform(m * n, 3);
        var expected = (float[])c0.Clone();
        ReferenceGemm.Multiply(transA, transB, m, n, k, alpha, a, b, beta, expected);
        var bound = ErrorBound(transA, transB, m, n, k, alpha, a, b, beta, c0);
        foreach (var threads in new[] { 1, 3 })
        {
            var c = (float[])c0.Clone();
            new CpuGemm(threads, useFma).Multiply(transA, transB, m, n, k, alpha, a, b, beta, c);
            for (var i = 0; i < c.Length; i++)
                Assert.True(Math.Abs(c[i] - expected[i]) <= bound[i], $"threads {threads}, C[{i / n}, {i % n}] = {c[i]}, reference {expected[i]}, bound {bound[i]}");
        }
    }

    /// <summary>
    /// The forward error bound of a float dot product of length k in any summation order, FMA or not (Higham, Accuracy
    /// and Stability of Numerical Algorithms, 3.1): |error| &lt;= gamma(k) * sum |a_p b_p|, gamma(k) ~ k u with u = 2^-24,
    /// plus the rounding of alpha * dot + beta * c; (k + 4) u covers both. A wrong, missing or doubled term is about
    /// sum |a b| / k, hundreds of times larger at these sizes.
    /// </summary>
    private static float[] ErrorBound(bool transA, bool transB, int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c)
    {
        var absA = a.Select(Math.Abs).ToArray();
        var absB = b.Select(Math.Abs).ToArray();
        var bound = c.Select(Math.Abs).ToArray();
        ReferenceGemm.Multiply(transA, transB, m, n, k, Math.Abs(alpha), absA, absB, Math.Abs(beta), bound);
        var u = MathF.Pow(2, -24);
        return bound.Select(x => (k + 4) * u * x).ToArray();
    }

    [Fact]
    public void Beta_zero_overwrites_C_without_reading_it()
    {
        var a = Seeded.Uniform(17 * 9, 4);
        var b = Seeded.Uniform(9 * 20, 5);
        var c = Enumerable.Repeat(float.NaN, 17 * 20).ToArray();
        var expected = new float[17 * 20];
        ReferenceGemm.Multiply(false, false, 17, 20, 9, 1f, a, b, 0f, expected);
        new CpuGemm(1).Multiply(false, false, 17, 20, 9, 1f, a, b, 0f, c);
        Assert.All(c, x => Assert.False(float.IsNaN(x)));
        for (var i = 0; i < c.Length; i++) Assert.Equal(expected[i], c[i], 1e-5f);
    }

    [Fact]
    public void Zero_depth_or_zero_alpha_only_scales_C_by_beta()
    {
        float[] c = [1, 2, 3, 4];
        new CpuGemm(1).Multiply(false, false, 2, 2, 0, 1f, [], [], 3f, c);
        Assert.Equal([3f, 6f, 9f, 12f], c);
        float[] nan = [float.NaN, float.NaN, float.NaN, float.NaN];
        new CpuGemm(1).Multiply(false, false, 2, 2, 2, 0f, nan, nan, 0.5f, c);
        Assert.Equal([1.5f, 3f, 4.5f, 6f], c);
    }

    [Fact]
    public void Short_operands_negative_sizes_and_overlap_are_rejected_before_C_changes()
    {
        var gemm = new CpuGemm(1);
        var a = new float[6];
        var b = new float[6];
        float[] c = [7, 7, 7, 7];
        Assert.Throws<ArgumentException>(() => gemm.Multiply(false, false, 2, 2, 4, 1f, a, b, 0f, c));
        Assert.Throws<ArgumentException>(() => gemm.Multiply(false, false, 2, 2, 3, 1f, a, b, 0f, c.AsSpan(0, 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => gemm.Multiply(false, false, -1, 2, 3, 1f, a, b, 0f, c));
        var shared = new float[10];
        Assert.Throws<ArgumentException>(() => gemm.Multiply(false, false, 2, 2, 1, 1f, shared.AsSpan(0, 2), b, 0f, shared.AsSpan(1, 4)));
        Assert.Equal([7f, 7f, 7f, 7f], c);
    }

    [Fact]
    public void At_least_one_thread_is_required() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CpuGemm(0));
}
