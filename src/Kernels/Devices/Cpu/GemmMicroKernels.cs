using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ParameterServer.Kernels.Devices.Cpu;

/// <summary>
/// The 6 x 16 micro-kernels of <see cref="CpuGemm"/>: C[6 x 16] = alpha * (A panel * B panel) + beta * C over kc steps,
/// where the A panel holds 6 values and the B panel 16 values per step (see CpuGemm's packing). C is not read when beta = 0.
/// </summary>
internal static unsafe class GemmMicroKernels
{
    /// <summary>FMA3 on Vector256: the whole tile in 12 registers, one broadcast of A per row and step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Fma6x16(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(a0, b0, c00);
            c01 = Fma.MultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(a1, b0, c10);
            c11 = Fma.MultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(a2, b0, c20);
            c21 = Fma.MultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(a3, b0, c30);
            c31 = Fma.MultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(a4, b0, c40);
            c41 = Fma.MultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(a5, b0, c50);
            c51 = Fma.MultiplyAdd(a5, b1, c51);
            a += CpuGemm.TileRows;
            b += CpuGemm.TileCols;
        }
        Store(c, c00, c01, alpha, beta);
        Store(c + ldc, c10, c11, alpha, beta);
        Store(c + 2 * ldc, c20, c21, alpha, beta);
        Store(c + 3 * ldc, c30, c31, alpha, beta);
        Store(c + 4 * ldc, c40, c41, alpha, beta);
        Store(c + 5 * ldc, c50, c51, alpha, beta);
    }

    /// <summary>Vector&lt;float&gt; of any width (4, 8 or 16 floats) without FMA: one strip of columns at a time, 6 rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Portable6x16(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        for (var col = 0; col < CpuGemm.TileCols; col += Vector<float>.Count)
        {
            Vector<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
            var ap = a;
            var bp = b + col;
            for (var p = 0; p < kc; p++)
            {
                var bv = Vector.Load(bp);
                c0 += new Vector<float>(ap[0]) * bv;
                c1 += new Vector<float>(ap[1]) * bv;
                c2 += new Vector<float>(ap[2]) * bv;
                c3 += new Vector<float>(ap[3]) * bv;
                c4 += new Vector<float>(ap[4]) * bv;
                c5 += new Vector<float>(ap[5]) * bv;
                ap += CpuGemm.TileRows;
                bp += CpuGemm.TileCols;
            }
            Store(c + col, c0, alpha, beta);
            Store(c + ldc + col, c1, alpha, beta);
            Store(c + 2 * ldc + col, c2, alpha, beta);
            Store(c + 3 * ldc + col, c3, alpha, beta);
            Store(c + 4 * ldc + col, c4, alpha, beta);
            Store(c + 5 * ldc + col, c5, alpha, beta);
        }
    }

    // alpha * acc + beta * c, multiplied and added separately in every kernel so that all of them round alike.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* row, Vector256<float> lo, Vector256<float> hi, float alpha, float beta)
    {
        var scale = Vector256.Create(alpha);
        if (beta == 0)
        {
            (lo * scale).Store(row);
            (hi * scale).Store(row + 8);
            return;
        }
        var keep = Vector256.Create(beta);
        (lo * scale + Vector256.Load(row) * keep).Store(row);
        (hi * scale + Vector256.Load(row + 8) * keep).Store(row + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* row, Vector<float> acc, float alpha, float beta)
    {
        var result = acc * alpha;
        if (beta != 0) result += Vector.Load(row) * beta;
        result.Store(row);
    }
}
