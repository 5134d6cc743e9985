using ILGPU.Runtime.Cuda;
using ParameterServer.Kernels.Devices.Cuda;

namespace ParameterServer.Kernels.Tests.Devices.Cuda;

/// <summary>The GPU path compiles without a GPU: every kernel to PTX for an H100/H200 (sm_90) under a CUDA 13 driver.</summary>
public sealed class OfflinePtxTests
{
    private static readonly string[] _kernels =
    [
        "Relu", "ReluBackward", "Axpy", "Fill", "AddBias", "ColumnSums", "SoftmaxCrossEntropy", "ArgMaxRows",
        "ToBf16", "FromBf16", "ToFp16", "FromFp16", "Sgd", "Adam", "TiledGemm",
    ];

    [Fact]
    public void Every_kernel_compiles_to_a_PTX_entry_for_sm_90_under_CUDA_13()
    {
        var modules = OfflinePtx.Compile(CudaArchitecture.SM_90, CudaDriverVersion.FromMajorMinor(13, 0));

        Assert.Equal(_kernels.Order(), modules.Keys.Order());
        foreach (var ptx in modules.Values)
        {
            // ILGPU 1.5.3 lowers sm_90 to its capability ceiling sm_80 (CudaCapabilityContext), and picks the newest
            // PTX ISA it knows that a 13.0 driver accepts (8.8); the driver JIT-compiles that module for sm_90.
            Assert.Contains(".version 8.8\n", ptx);
            Assert.Contains(".target sm_80\n", ptx);
            Assert.Matches(@"\.visible \.entry Kernel_\w+\(", ptx);
        }
        Assert.Contains("bar.sync", modules["TiledGemm"]);
        Assert.Contains(".shared", modules["TiledGemm"]);
    }
}
