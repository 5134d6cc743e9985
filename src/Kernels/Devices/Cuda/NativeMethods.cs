using System.Runtime.InteropServices;

namespace ParameterServer.Kernels.Devices.Cuda;

/// <summary>
/// The four cuBLAS entry points this project calls, bound as function pointers to the library that
/// <see cref="CudaLibraries"/> found: the same code serves libcublas.so.11, .12 and .13, and this assembly needs
/// no DllImport resolver of its own (an assembly can have only one).
/// </summary>
internal static unsafe class NativeMethods
{
    public const int CublasSuccess = 0;
    public const int CublasOpN = 0;
    public const int CublasOpT = 1;

    private static readonly Lazy<Api?> _api = new(Bind);

    /// <summary>True when cuBLAS was found and exports every entry point.</summary>
    public static bool HasCublas => _api.Value is not null;

    public static int CublasCreate(out IntPtr handle)
    {
        IntPtr h;
        var status = Require().Create(&h);
        handle = h;
        return status;
    }

    public static int CublasDestroy(IntPtr handle) => Require().Destroy(handle);

    public static int CublasSetStream(IntPtr handle, IntPtr stream) => Require().SetStream(handle, stream);

    /// <summary>Column-major C = alpha op(A) op(B) + beta C with device pointers and host scalars.</summary>
    public static int CublasSgemm(IntPtr handle, int transA, int transB, int m, int n, int k, float alpha,
        IntPtr a, int lda, IntPtr b, int ldb, float beta, IntPtr c, int ldc) =>
        Require().Sgemm(handle, transA, transB, m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc);

    private static Api Require() => _api.Value ?? throw new InvalidOperationException("cuBLAS is not loaded");

    private static Api? Bind()
    {
        var library = CudaLibraries.Cublas;
        if (library == IntPtr.Zero) return null;
        if (!NativeLibrary.TryGetExport(library, "cublasCreate_v2", out var create)
            || !NativeLibrary.TryGetExport(library, "cublasDestroy_v2", out var destroy)
            || !NativeLibrary.TryGetExport(library, "cublasSetStream_v2", out var setStream)
            || !NativeLibrary.TryGetExport(library, "cublasSgemm_v2", out var sgemm))
            return null;
        return new Api(
            (delegate* unmanaged<IntPtr*, int>)create,
            (delegate* unmanaged<IntPtr, int>)destroy,
            (delegate* unmanaged<IntPtr, IntPtr, int>)setStream,
            (delegate* unmanaged<IntPtr, int, int, int, int, int, float*, IntPtr, int, IntPtr, int, float*, IntPtr, int, int>)sgemm);
    }

    private sealed class Api(
        delegate* unmanaged<IntPtr*, int> create,
        delegate* unmanaged<IntPtr, int> destroy,
        delegate* unmanaged<IntPtr, IntPtr, int> setStream,
        delegate* unmanaged<IntPtr, int, int, int, int, int, float*, IntPtr, int, IntPtr, int, float*, IntPtr, int, int> sgemm)
    {
        public readonly delegate* unmanaged<IntPtr*, int> Create = create;
        public readonly delegate* unmanaged<IntPtr, int> Destroy = destroy;
        public readonly delegate* unmanaged<IntPtr, IntPtr, int> SetStream = setStream;
        public readonly delegate* unmanaged<IntPtr, int, int, int, int, int, float*, IntPtr, int, IntPtr, int, float*, IntPtr, int, int> Sgemm = sgemm;
    }
}
