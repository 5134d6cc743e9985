using System.Numerics;
using System.Runtime.InteropServices;

namespace ParameterServer.Kernels.Updates;

/// <summary>
/// SGD with heavy-ball momentum in PyTorch's form: d = g + wd * w; b = mu * b + d;
/// w -= lr * b, or with Nesterov w -= lr * (d + mu * b).
/// </summary>
public static class Momentum
{
    /// <summary>
    /// The vectorized update, one pass over w, g and b; bit-identical to <see cref="Reference"/>.
    /// Example: <c>Momentum.Apply(w, g, b, lr: 0.1f, momentum: 0.9f, nesterov: true, weightDecay: 0)</c>.
    /// </summary>
    public static void Apply(Span<float> w, ReadOnlySpan<float> g, Span<float> b, float lr, float momentum, bool nesterov, float weightDecay)
    {
        Shapes.Check(w.Length, g.Length, b.Length);
        var wv = MemoryMarshal.Cast<float, Vector<float>>(w);
        var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        var bv = MemoryMarshal.Cast<float, Vector<float>>(b);
        var lrV = new Vector<float>(lr);
        var muV = new Vector<float>(momentum);
        var wdV = new Vector<float>(weightDecay);
        for (var i = 0; i < wv.Length; i++)
        {
            var d = gv[i] + wdV * wv[i];
            var bi = muV * bv[i] + d;
            bv[i] = bi;
            wv[i] -= lrV * (nesterov ? d + muV * bi : bi);
        }
        var done = wv.Length * Vector<float>.Count;
        Reference(w[done..], g[done..], b[done..], lr, momentum, nesterov, weightDecay);
    }

    /// <summary>The scalar reference, one element at a time, as published.</summary>
    public static void Reference(Span<float> w, ReadOnlySpan<float> g, Span<float> b, float lr, float momentum, bool nesterov, float weightDecay)
    {
        Shapes.Check(w.Length, g.Length, b.Length);
        for (var i = 0; i < w.Length; i++)
        {
            var d = g[i] + weightDecay * w[i];
            b[i] = momentum * b[i] + d;
            w[i] -= lr * (nesterov ? d + momentum * b[i] : b[i]);
        }
    }
}
