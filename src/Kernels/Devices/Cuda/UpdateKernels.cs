using ILGPU;
using ILGPU.Algorithms;

namespace ParameterServer.Kernels.Devices.Cuda;

/// <summary>The scalars of one Adam step, one kernel argument; the bias corrections are computed once on the host.</summary>
internal readonly record struct AdamStep(
    float LearningRate, float Beta1, float Beta2, float Epsilon, float WeightDecay, int Decoupled,
    float Correction1, float Correction2);

/// <summary>Device code for the optimizer updates, the formulas of <see cref="Updates.Sgd"/> and <see cref="Updates.Adam"/>.</summary>
internal static class UpdateKernels
{
    public static void Sgd(Index1D i, ArrayView<float> w, ArrayView<float> g, float lr, float weightDecay) =>
        w[i] -= lr * (g[i] + weightDecay * w[i]);

    public static void Adam(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, AdamStep s)
    {
        var d = g[i];
        var wi = w[i];
        if (s.Decoupled != 0) wi *= 1f - s.LearningRate * s.WeightDecay;
        else d += s.WeightDecay * wi;
        var mi = s.Beta1 * m[i] + (1f - s.Beta1) * d;
        var vi = s.Beta2 * v[i] + (1f - s.Beta2) * d * d;
        m[i] = mi;
        v[i] = vi;
        w[i] = wi - s.LearningRate * (mi / s.Correction1) / (XMath.Sqrt(vi / s.Correction2) + s.Epsilon);
    }
}
