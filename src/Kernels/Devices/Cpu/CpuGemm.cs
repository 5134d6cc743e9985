using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics.X86;

namespace ParameterServer.Kernels.Devices.Cpu;

/// <summary>
/// Single-precision GEMM, C = alpha * op(A) * op(B) + beta * C, row-major as <see cref="IDevice.Gemm"/>, blocked in the
/// way of BLIS (Van Zee and van de Geijn): a KC x NC block of op(B) is packed into column panels NR wide, an MC x KC
/// block of op(A) into row panels MR tall, and an MR x NR micro-kernel keeps its tile of C in registers while it
/// streams the two panels. Packing also absorbs the transposes, so all four cases run the same kernel.
/// Threads take disjoint row (or column) ranges of C and pack their own panels, so they never wait on each other.
/// Example: <c>new CpuGemm(threads: 2).Multiply(false, true, m, n, k, 1f, a, b, 0f, c);</c>
/// </summary>
public sealed class CpuGemm
{
    // Blocking for a 32 KiB L1 and a 1 MiB L2 per core: a B micro-panel (KC x NR, 16 KiB) stays in L1, an
    // A block (MC x KC, 192 KiB) in L2. The tile is 6 x 16: 12 accumulators of 8 floats, 2 loads of B and
    // 6 broadcasts of A per 12 FMAs, within the 16 vector registers of AVX2.
    internal const int TileRows = 6;
    internal const int TileCols = 16;
    private const int DepthBlock = 256;
    private const int RowBlock = 192;
    private const int ColBlock = 2048;

    // Below this much work per thread the cost of waking a thread exceeds the gain (about 20 us of compute).
    private const long MinFlopsPerThread = 1_000_000;

    // Packed panels start on a cache line.
    private const int Alignment = 64;

    /// <summary>A GEMM that uses up to <paramref name="threads"/> threads and the FMA micro-kernel where the CPU has FMA3.</summary>
    public CpuGemm(int threads) : this(threads, Fma.IsSupported)
    {
    }

    /// <summary>Chooses the micro-kernel: FMA3 on Vector256, or the portable Vector&lt;float&gt; one (tests run both).</summary>
    public CpuGemm(int threads, bool useFma)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (useFma && !Fma.IsSupported) throw new PlatformNotSupportedException("this CPU has no FMA3");
        Threads = threads;
        UsesFma = useFma;
    }

    public int Threads { get; }

    public bool UsesFma { get; }

    /// <summary>
    /// C[m,n] = alpha * op(A) * op(B) + beta * C on the leading m*k, k*n and m*n elements. As in BLAS, C is not read when
    /// beta = 0 (NaN there does not leak) and A and B are not read when alpha = 0 or k = 0.
    /// </summary>
    public unsafe void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, float beta, Span<float> c)
    {
        GemmShape.Check(m, n, k, a, b, c);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0)
        {
            Scale(c[..(m * n)], beta);
            return;
        }

        var tasks = (int)Math.Clamp(2L * m * n * k / MinFlopsPerThread, 1, Threads);
        fixed (float* pa = a, pb = b, pc = c)
        {
            var job = new GemmJob(this, transA, transB, m, n, k, alpha, beta, pa, pb, pc, tasks);
            if (job.Tasks == 1) job.Run(0);
            else Parallel.For(0, job.Tasks, new ParallelOptions { MaxDegreeOfParallelism = Threads }, job.Run);
        }
    }

    private static void Scale(Span<float> c, float beta)
    {
        if (beta == 0) c.Clear();
        else if (beta != 1) TensorPrimitives.Multiply(c, beta, c);
    }

    /// <summary>One call's operands and the split of C into per-thread ranges; <see cref="Run"/> computes one range.</summary>
    private sealed unsafe class GemmJob
    {
        private readonly CpuGemm _gemm;
        private readonly bool _transA;
        private readonly bool _transB;
        private readonly int _m;
        private readonly int _n;
        private readonly int _k;
        private readonly float _alpha;
        private readonly float _beta;
        private readonly float* _a;
        private readonly float* _b;
        private readonly float* _c;
        private readonly bool _splitRows;

        public GemmJob(CpuGemm gemm, bool transA, bool transB, int m, int n, int k, float alpha, float beta,
            float* a, float* b, float* c, int tasks)
        {
            _gemm = gemm;
            _transA = transA;
            _transB = transB;
            _m = m;
            _n = n;
            _k = k;
            _alpha = alpha;
            _beta = beta;
            _a = a;
            _b = b;
            _c = c;
            // Each thread packs all of the operand it does not split; split the longer side so that the
            // duplicated packing is the smaller one, as long as that side has a tile for every thread.
            var rowTiles = CeilDiv(m, TileRows);
            var colTiles = CeilDiv(n, TileCols);
            var preferRows = m >= n;
            var (preferred, other) = preferRows ? (rowTiles, colTiles) : (colTiles, rowTiles);
            _splitRows = preferred >= tasks || preferred >= other ? preferRows : !preferRows;
            Tasks = Math.Min(tasks, _splitRows ? rowTiles : colTiles);
        }

        public int Tasks { get; }

        public void Run(int task)
        {
            if (_splitRows)
            {
                var (first, last) = Range(task, CeilDiv(_m, TileRows), TileRows, _m);
                Compute(first, last, 0, _n);
            }
            else
            {
                var (first, last) = Range(task, CeilDiv(_n, TileCols), TileCols, _n);
                Compute(0, _m, first, last);
            }
        }

        private (int First, int Last) Range(int task, int tiles, int tile, int size) =>
            ((int)((long)tiles * task / Tasks) * tile, Math.Min((int)((long)tiles * (task + 1) / Tasks) * tile, size));

        /// <summary>C[rows r0..r1, cols c0..c1] by the BLIS loop nest: column blocks, depth blocks, row blocks.</summary>
        private void Compute(int r0, int r1, int c0, int c1)
        {
            // Equal depth blocks: 784 becomes 4 x 196 rather than 3 x 256 and a thin 16.
            var kc = CeilDiv(_k, CeilDiv(_k, DepthBlock));
            var mcMax = Math.Min(RowBlock, RoundUp(r1 - r0, TileRows));
            var ncMax = Math.Min(ColBlock, RoundUp(c1 - c0, TileCols));
            var aRented = ArrayPool<float>.Shared.Rent(mcMax * kc + Alignment / sizeof(float));
            var bRented = ArrayPool<float>.Shared.Rent(ncMax * kc + Alignment / sizeof(float));
            try
            {
                fixed (float* aBase = aRented, bBase = bRented)
                {
                    var aPack = Align(aBase);
                    var bPack = Align(bBase);
                    for (var jc = c0; jc < c1; jc += ColBlock)
                    {
                        var nc = Math.Min(ColBlock, c1 - jc);
                        for (var pc = 0; pc < _k; pc += kc)
                        {
                            var depth = Math.Min(kc, _k - pc);
                            GemmPacking.Pack(_b, _transB ? _k : _n, _transB, jc, nc, pc, depth, TileCols, bPack);
                            // The first depth block applies beta; the later ones add to it.
                            var beta = pc == 0 ? _beta : 1f;
                            for (var ic = r0; ic < r1; ic += RowBlock)
                            {
                                var mc = Math.Min(RowBlock, r1 - ic);
                                GemmPacking.Pack(_a, _transA ? _m : _k, !_transA, ic, mc, pc, depth, TileRows, aPack);
                                MacroKernel(mc, nc, depth, aPack, bPack, _c + (long)ic * _n + jc, beta);
                            }
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(aRented);
                ArrayPool<float>.Shared.Return(bRented);
            }
        }

        /// <summary>Every MR x NR tile of an mc x nc block of C; the partial tiles at the edges go through a scratch tile.</summary>
        private void MacroKernel(int mc, int nc, int kc, float* aPack, float* bPack, float* c, float beta)
        {
            var scratch = stackalloc float[TileRows * TileCols];
            for (var jr = 0; jr < nc; jr += TileCols)
            {
                var cols = Math.Min(TileCols, nc - jr);
                var bPanel = bPack + (long)jr * kc;
                for (var ir = 0; ir < mc; ir += TileRows)
                {
                    var rows = Math.Min(TileRows, mc - ir);
                    var aPanel = aPack + (long)ir * kc;
                    var tile = c + (long)ir * _n + jr;
                    if (rows == TileRows && cols == TileCols)
                    {
                        MicroKernel(kc, aPanel, bPanel, tile, _n, beta);
                        continue;
                    }
                    // The same kernel on a full scratch tile holding the edge of C, so edges round exactly as full tiles.
                    for (var r = 0; r < rows; r++)
                        new Span<float>(tile + (long)r * _n, cols).CopyTo(new Span<float>(scratch + r * TileCols, cols));
                    MicroKernel(kc, aPanel, bPanel, scratch, TileCols, beta);
                    for (var r = 0; r < rows; r++)
                        new Span<float>(scratch + r * TileCols, cols).CopyTo(new Span<float>(tile + (long)r * _n, cols));
                }
            }
        }

        private void MicroKernel(int kc, float* a, float* b, float* c, int ldc, float beta)
        {
            if (_gemm.UsesFma) GemmMicroKernels.Fma6x16(kc, a, b, c, ldc, _alpha, beta);
            else GemmMicroKernels.Portable6x16(kc, a, b, c, ldc, _alpha, beta);
        }
    }

    private static int CeilDiv(int x, int y) => (x + y - 1) / y;

    private static int RoundUp(int x, int multiple) => CeilDiv(x, multiple) * multiple;

    private static unsafe float* Align(float* p) => (float*)(((nint)p + Alignment - 1) & ~(nint)(Alignment - 1));
}
