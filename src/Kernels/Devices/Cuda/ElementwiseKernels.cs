using ILGPU;

namespace ParameterServer.Kernels.Devices.Cuda;

/// <summary>Device code for the one-thread-per-element operations of <see cref="IDevice"/>.</summary>
internal static class ElementwiseKernels
{
    public static void Relu(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = x[i] > 0f ? x[i] : 0f;

    public static void ReluBackward(Index1D i, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx) =>
        dx[i] = y[i] > 0f ? dy[i] : 0f;

    public static void Axpy(Index1D i, float alpha, ArrayView<float> x, ArrayView<float> y) => y[i] += alpha * x[i];

    public static void Fill(Index1D i, ArrayView<float> x, float value) => x[i] = value;
}
