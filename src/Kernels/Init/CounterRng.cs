namespace ParameterServer.Kernels.Init;

/// <summary>
/// A counter-based generator: the value at (seed, index) is a pure function of both (SplitMix64 finalizer),
/// so a table's initial values do not depend on how it is sharded or in which order shards start.
/// </summary>
public static class CounterRng
{
    public static ulong Bits(ulong seed, ulong index)
    {
        var z = seed + (index + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform on [0, 1) with 53 bits.</summary>
    public static double Uniform(ulong seed, ulong index) => (Bits(seed, index) >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal by Box-Muller on two uniforms drawn from streams 2i and 2i+1.</summary>
    public static double Normal(ulong seed, ulong index)
    {
        var u1 = 1.0 - Uniform(seed, 2 * index);
        var u2 = Uniform(seed, 2 * index + 1);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
