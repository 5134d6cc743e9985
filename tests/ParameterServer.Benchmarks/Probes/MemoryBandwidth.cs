using System.Numerics;
using System.Runtime.InteropServices;

namespace ParameterServer.Benchmarks.Probes;

/// <summary>
/// The memory-bandwidth probe: a streaming in-place triad a[i] += s * b[i], which reads two floats and writes one
/// (12 bytes per element, the access pattern of an SGD update) with the least possible arithmetic. Written apart
/// from the kernels it is compared with, so a slow kernel cannot slow its own yardstick.
/// </summary>
public static class MemoryBandwidth
{
    public const int BytesPerElement = 12;

    public static void Triad(Span<float> a, ReadOnlySpan<float> b, float s)
    {
        var av = MemoryMarshal.Cast<float, Vector<float>>(a);
        var bv = MemoryMarshal.Cast<float, Vector<float>>(b);
        var sv = new Vector<float>(s);
        for (var i = 0; i < av.Length; i++)
            av[i] += sv * bv[i];
        for (var i = av.Length * Vector<float>.Count; i < a.Length; i++)
            a[i] += s * b[i];
    }
}
