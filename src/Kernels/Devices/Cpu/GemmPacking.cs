using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ParameterServer.Kernels.Devices.Cpu;

/// <summary>
/// Copies a block of a GEMM operand into the panels the micro-kernels stream: panel q holds, for each depth step p,
/// the <c>width</c> values of lines first + q * width .. + width contiguously (lines are rows of op(A), width 6, or
/// columns of op(B), width 16); lines past the edge are zero. Packing is where the four transpose cases differ.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs lines [first, first + count) over depth [p0, p0 + kc). When <paramref name="depthContiguous"/> line x at
    /// depth p is src[x * ld + p] (A not transposed, B transposed), else src[p * ld + x].
    /// </summary>
    public static void Pack(float* src, long ld, bool depthContiguous, int first, int count, int p0, int kc, int width, float* dst)
    {
        for (var q = 0; q < count; q += width)
        {
            var lines = Math.Min(width, count - q);
            var panel = dst + (long)q * kc;
            if (lines < width) new Span<float>(panel, width * kc).Clear();
            if (depthContiguous)
            {
                Transpose(src + (first + q) * ld + p0, ld, lines, kc, width, panel);
            }
            else
            {
                for (var p = 0; p < kc; p++)
                    new ReadOnlySpan<float>(src + (p0 + p) * ld + first + q, lines).CopyTo(new Span<float>(panel + p * width, lines));
            }
        }
    }

    /// <summary>panel[p * width + x] = src[x * ld + p]: 8 x 8 blocks in AVX registers where whole blocks fit, else one by one.</summary>
    private static void Transpose(float* src, long ld, int lines, int kc, int width, float* panel)
    {
        var p = 0;
        if (Avx.IsSupported && lines == width && width % 8 == 0)
        {
            for (; p + 8 <= kc; p += 8)
                for (var x = 0; x < width; x += 8)
                    Transpose8x8(src + x * ld + p, ld, panel + p * width + x, width);
        }
        for (; p < kc; p++)
            for (var x = 0; x < lines; x++)
                panel[p * width + x] = src[x * ld + p];
    }

    /// <summary>dst[j * ldDst + i] = src[i * ldSrc + j] for an 8 x 8 block, by unpack, shuffle and lane permute.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, long ldSrc, float* dst, int ldDst)
    {
        var r0 = Vector256.Load(src);
        var r1 = Vector256.Load(src + ldSrc);
        var r2 = Vector256.Load(src + 2 * ldSrc);
        var r3 = Vector256.Load(src + 3 * ldSrc);
        var r4 = Vector256.Load(src + 4 * ldSrc);
        var r5 = Vector256.Load(src + 5 * ldSrc);
        var r6 = Vector256.Load(src + 6 * ldSrc);
        var r7 = Vector256.Load(src + 7 * ldSrc);
        // Pairs of rows interleaved, then quadruples, then the 128-bit halves swapped into place.
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).Store(dst);
        Avx.Permute2x128(u1, u5, 0x20).Store(dst + ldDst);
        Avx.Permute2x128(u2, u6, 0x20).Store(dst + 2 * ldDst);
        Avx.Permute2x128(u3, u7, 0x20).Store(dst + 3 * ldDst);
        Avx.Permute2x128(u0, u4, 0x31).Store(dst + 4 * ldDst);
        Avx.Permute2x128(u1, u5, 0x31).Store(dst + 5 * ldDst);
        Avx.Permute2x128(u2, u6, 0x31).Store(dst + 6 * ldDst);
        Avx.Permute2x128(u3, u7, 0x31).Store(dst + 7 * ldDst);
    }
}
