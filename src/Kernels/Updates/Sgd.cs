using System.Numerics;
using System.Runtime.InteropServices;

namespace ParameterServer.Kernels.Updates;

/// <summary>Plain SGD with L2 weight decay: w -= lr * (g + wd * w).</summary>
public static class Sgd
{
    /// <summary>
    /// The vectorized update, one pass over w and g; bit-identical to <see cref="Reference"/>.
    /// Example: <c>Sgd.Apply(w, g, lr: 0.1f, weightDecay: 0)</c>.
    /// </summary>
    public static void Apply(Span<float> w, ReadOnlySpan<float> g, float lr, float weightDecay)
    {
        Shapes.Check(w.Length, g.Length);
        var wv = MemoryMarshal.Cast<float, Vector<float>>(w);
        var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        var lrV = new Vector<float>(lr);
        var wdV = new Vector<float>(weightDecay);
        for (var i = 0; i < wv.Length; i++)
            wv[i] -= lrV * (gv[i] + wdV * wv[i]);
        var done = wv.Length * Vector<float>.Count;
        Reference(w[done..], g[done..], lr, weightDecay);
    }

    /// <summary>The scalar reference, one element at a time, as published.</summary>
    public static void Reference(Span<float> w, ReadOnlySpan<float> g, float lr, float weightDecay)
    {
        Shapes.Check(w.Length, g.Length);
        for (var i = 0; i < w.Length; i++)
            w[i] -= lr * (g[i] + weightDecay * w[i]);
    }
}
