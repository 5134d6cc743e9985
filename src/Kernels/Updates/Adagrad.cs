using System.Numerics;
using System.Runtime.InteropServices;

namespace ParameterServer.Kernels.Updates;

/// <summary>Adagrad: d = g + wd * w; s += d^2; w -= lr * d / (sqrt(s) + eps).</summary>
public static class Adagrad
{
    /// <summary>
    /// The vectorized update, one pass over w, g and s; bit-identical to <see cref="Reference"/>
    /// (square root and division are correctly rounded in both).
    /// Example: <c>Adagrad.Apply(w, g, s, lr: 0.01f, epsilon: 1e-10f, weightDecay: 0)</c>.
    /// </summary>
    public static void Apply(Span<float> w, ReadOnlySpan<float> g, Span<float> s, float lr, float epsilon, float weightDecay)
    {
        Shapes.Check(w.Length, g.Length, s.Length);
        var wv = MemoryMarshal.Cast<float, Vector<float>>(w);
        var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        var sv = MemoryMarshal.Cast<float, Vector<float>>(s);
        var lrV = new Vector<float>(lr);
        var epsV = new Vector<float>(epsilon);
        var wdV = new Vector<float>(weightDecay);
        for (var i = 0; i < wv.Length; i++)
        {
            var d = gv[i] + wdV * wv[i];
            var si = sv[i] + d * d;
            sv[i] = si;
            wv[i] -= lrV * d / (Vector.SquareRoot(si) + epsV);
        }
        var done = wv.Length * Vector<float>.Count;
        Reference(w[done..], g[done..], s[done..], lr, epsilon, weightDecay);
    }

    /// <summary>The scalar reference, one element at a time, as published.</summary>
    public static void Reference(Span<float> w, ReadOnlySpan<float> g, Span<float> s, float lr, float epsilon, float weightDecay)
    {
        Shapes.Check(w.Length, g.Length, s.Length);
        for (var i = 0; i < w.Length; i++)
        {
            var d = g[i] + weightDecay * w[i];
            s[i] += d * d;
            w[i] -= lr * d / (MathF.Sqrt(s[i]) + epsilon);
        }
    }
}
