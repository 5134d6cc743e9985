using ILGPU;
using ILGPU.Runtime;

namespace ParameterServer.Kernels.Devices.Cuda;

/// <summary>The shape and scalars of one GEMM, one kernel argument. op(A) is m x k, op(B) k x n, all row-major.</summary>
internal readonly record struct GemmShape(int M, int N, int K, int TransA, int TransB, float Alpha, float Beta)
{
    /// <summary>op(A)[row, col]: A is stored m x k, or k x m when transposed.</summary>
    public float A(ArrayView<float> a, int row, int col) => TransA != 0 ? a[col * M + row] : a[row * K + col];

    /// <summary>op(B)[row, col]: B is stored k x n, or n x k when transposed.</summary>
    public float B(ArrayView<float> b, int row, int col) => TransB != 0 ? b[col * K + row] : b[row * N + col];
}

/// <summary>
/// GEMM as an ILGPU kernel with square shared-memory tiles: the path where cuBLAS is missing, and on ILGPU's CPU
/// accelerator. Each group computes one tile x tile block of C; each thread one element, reading op(A) and op(B)
/// through shared memory one tile of k at a time. The tile is the group's width, so one kernel serves a GPU
/// (16 x 16 threads) and the CPU accelerator (whose groups are small).
/// </summary>
internal sealed class TiledGemm : IGemm
{
    private const int MaxTile = 16;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> _kernel;
    private readonly int _tile;

    public TiledGemm(Accelerator accelerator)
    {
        _kernel = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(Kernel);
        _tile = Math.Min(MaxTile, (int)Math.Sqrt(accelerator.MaxNumThreadsPerGroup));
    }

    public string Name => $"tiled {_tile}x{_tile}";

    public void Gemm(in GemmShape shape, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        var grid = new Index2D((shape.N + _tile - 1) / _tile, (shape.M + _tile - 1) / _tile);
        var group = new Index2D(_tile, _tile);
        _kernel(new KernelConfig(grid, group, SharedMemoryConfig.RequestDynamic<float>(2 * _tile * _tile)), a, b, c, shape);
    }

    /// <summary>Nothing to free: the loaded kernel lives as long as its accelerator.</summary>
    public void Dispose()
    {
    }

    /// <summary>Device code. Out-of-range tile cells load zeros, so odd shapes need no special case; beta == 0 never reads C.</summary>
    internal static void Kernel(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s)
    {
        var tile = Group.DimX;
        var shared = SharedMemory.GetDynamic<float>();
        var aTile = shared.SubView(0, tile * tile);
        var bTile = shared.SubView(tile * tile, tile * tile);
        var tx = Group.IdxX;
        var ty = Group.IdxY;
        var row = Grid.IdxY * tile + ty;
        var col = Grid.IdxX * tile + tx;
        var sum = 0f;
        for (var k0 = 0; k0 < s.K; k0 += tile)
        {
            aTile[ty * tile + tx] = row < s.M && k0 + tx < s.K ? s.A(a, row, k0 + tx) : 0f;
            bTile[ty * tile + tx] = k0 + ty < s.K && col < s.N ? s.B(b, k0 + ty, col) : 0f;
            Group.Barrier();
            for (var kk = 0; kk < tile; kk++) sum += aTile[ty * tile + kk] * bTile[kk * tile + tx];
            Group.Barrier();
        }
        if (row < s.M && col < s.N)
        {
            var i = row * s.N + col;
            c[i] = s.Beta == 0f ? s.Alpha * sum : s.Alpha * sum + s.Beta * c[i];
        }
    }
}
