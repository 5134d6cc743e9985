using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

// ILGPU emits its kernel launchers into a dynamic assembly of this name; they take the internal argument structs
// (GemmShape, AdamStep) by value.
[assembly: InternalsVisibleTo("ILGPURuntime")]

namespace ParameterServer.Kernels.Devices.Cuda;

/// <summary>
/// Every element and row kernel of <see cref="IlgpuDevice"/>, compiled and loaded once per accelerator: a launch
/// is then a delegate call on the default stream, with no lookup or compilation on the hot path.
/// </summary>
internal sealed class LoadedKernels(Accelerator accelerator)
{
    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>> Relu =
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Relu);

    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> ReluBackward =
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.ReluBackward);

    public readonly Action<Index1D, float, ArrayView<float>, ArrayView<float>> Axpy =
        accelerator.LoadAutoGroupedStreamKernel<Index1D, float, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Axpy);

    public readonly Action<Index1D, ArrayView<float>, float> Fill =
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(ElementwiseKernels.Fill);

    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int> AddBias =
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(RowKernels.AddBias);

    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> ColumnSums =
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(RowKernels.ColumnSums);

    public readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, float> SoftmaxCrossEntropy =
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, float>(
            RowKernels.SoftmaxCrossEntropy);

    public readonly Action<Index1D, ArrayView<float>, ArrayView<int>, int> ArgMaxRows =
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, int>(RowKernels.ArgMaxRows);

    public readonly Action<Index1D, ArrayView<float>, ArrayView<ushort>> ToBf16 =
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<ushort>>(EncodingKernels.ToBf16);

    public readonly Action<Index1D, ArrayView<ushort>, ArrayView<float>> FromBf16 =
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<ushort>, ArrayView<float>>(EncodingKernels.FromBf16);

    public readonly Action<Index1D, ArrayView<float>, ArrayView<ushort>> ToFp16 =
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<ushort>>(EncodingKernels.ToFp16);

    public readonly Action<Index1D, ArrayView<ushort>, ArrayView<float>> FromFp16 =
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<ushort>, ArrayView<float>>(EncodingKernels.FromFp16);

    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, float, float> Sgd =
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float, float>(UpdateKernels.Sgd);

    public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamStep> Adam =
        accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamStep>(
            UpdateKernels.Adam);
}
