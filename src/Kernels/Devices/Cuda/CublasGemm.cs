using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace ParameterServer.Kernels.Devices.Cuda;

/// <summary>
/// GEMM through cuBLAS on the accelerator's default stream, so it is ordered with the ILGPU kernels. cuBLAS is
/// column-major and a row-major matrix read column-major is its transpose, so row-major C = op(A) op(B) is
/// computed as column-major C^T = op(B)^T op(A)^T: the operands swap, m and n swap, and each leading dimension is
/// the stored row length.
/// </summary>
internal sealed class CublasGemm : IGemm
{
    private readonly CudaAccelerator _accelerator;
    private IntPtr _handle;

    private CublasGemm(CudaAccelerator accelerator, IntPtr handle)
    {
        _accelerator = accelerator;
        _handle = handle;
    }

    public string Name => $"cublas ({CudaLibraries.CublasPath})";

    /// <summary>A cuBLAS handle bound to the accelerator's context and default stream, or null without cuBLAS.</summary>
    public static CublasGemm? TryCreate(CudaAccelerator accelerator)
    {
        if (!NativeMethods.HasCublas) return null;
        // cuBLAS works in the context current on the calling thread: ILGPU's.
        accelerator.Bind();
        if (NativeMethods.CublasCreate(out var handle) != NativeMethods.CublasSuccess) return null;
        var stream = ((CudaStream)accelerator.DefaultStream).StreamPtr;
        if (NativeMethods.CublasSetStream(handle, stream) != NativeMethods.CublasSuccess)
        {
            NativeMethods.CublasDestroy(handle);
            return null;
        }
        return new CublasGemm(accelerator, handle);
    }

    public void Gemm(in GemmShape s, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        _accelerator.Bind();
        var status = NativeMethods.CublasSgemm(_handle,
            s.TransB != 0 ? NativeMethods.CublasOpT : NativeMethods.CublasOpN,
            s.TransA != 0 ? NativeMethods.CublasOpT : NativeMethods.CublasOpN,
            s.N, s.M, s.K, s.Alpha,
            b.LoadEffectiveAddressAsPtr(), s.TransB != 0 ? s.K : s.N,
            a.LoadEffectiveAddressAsPtr(), s.TransA != 0 ? s.M : s.K,
            s.Beta, c.LoadEffectiveAddressAsPtr(), s.N);
        if (status != NativeMethods.CublasSuccess) throw new InvalidOperationException($"cublasSgemm_v2 failed with status {status}");
    }

    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        _accelerator.Bind();
        NativeMethods.CublasDestroy(_handle);
        _handle = IntPtr.Zero;
    }
}
