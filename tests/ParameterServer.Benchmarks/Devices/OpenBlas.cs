using System.Runtime.InteropServices;

namespace ParameterServer.Benchmarks.Devices;

/// <summary>
/// Debian's OpenBLAS (apt-get install libopenblas0-pthread), loaded only by the benchmarks as the reference a GEMM is
/// measured against; the library itself never depends on it.
/// </summary>
internal static unsafe partial class OpenBlas
{
    private const string Library = "libopenblas.so.0";
    private const int RowMajor = 101;
    private const int NoTrans = 111;
    private const int Trans = 112;

    public static bool IsAvailable { get; } = NativeLibrary.TryLoad(Library, out _);

    /// <summary>The kernel family OpenBLAS picked for this CPU (for example "Haswell" or "SkylakeX").</summary>
    public static string CoreName => Marshal.PtrToStringAnsi(openblas_get_corename()) ?? "?";

    public static void SetThreads(int threads) => openblas_set_num_threads(threads);

    /// <summary>The same contract as <see cref="Kernels.Devices.IDevice.Gemm"/>: row-major, dense.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c)
    {
        fixed (float* pa = a, pb = b, pc = c)
        {
            cblas_sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha,
                pa, transA ? m : k, pb, transB ? k : n, beta, pc, n);
        }
    }

    [LibraryImport(Library)]
    private static partial void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(Library)]
    private static partial void openblas_set_num_threads(int threads);

    [LibraryImport(Library)]
    private static partial nint openblas_get_corename();
}
