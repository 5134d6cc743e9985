using ILGPU;

namespace ParameterServer.Kernels.Devices.Cuda;

/// <summary>One way to run a row-major GEMM on an accelerator's compute stream: cuBLAS, or the tiled kernel.</summary>
internal interface IGemm : IDisposable
{
    /// <summary>What runs the GEMM, for reports: "cublas (/path/libcublas.so.13)" or "tiled 16x16".</summary>
    string Name { get; }

    void Gemm(in GemmShape shape, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c);
}
