using ParameterServer.Kernels.Init;

namespace ParameterServer.Kernels.Tests.Devices;

/// <summary>Fixed-seed test inputs.</summary>
internal static class Seeded
{
    public static float[] Uniform(int length, ulong seed, float low = -1f, float high = 1f)
    {
        var x = new float[length];
        Initializers.Uniform(x, 0, seed, low, high);
        return x;
    }
}
