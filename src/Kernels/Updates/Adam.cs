using System.Numerics;
using System.Runtime.InteropServices;

namespace ParameterServer.Kernels.Updates;

/// <summary>
/// Adam (Kingma and Ba) with bias correction, and AdamW (Loshchilov and Hutter) when <c>decoupled</c>:
/// Adam adds wd * w to the gradient; AdamW first shrinks w by (1 - lr * wd). Then
/// m = b1 m + (1 - b1) d; v = b2 v + (1 - b2) d^2; w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps),
/// with t the 1-based step.
/// </summary>
public static class Adam
{
    /// <summary>
    /// The vectorized update, one pass over w, g, m and v. The bias corrections are hoisted out of the loop:
    /// w -= (lr / c1) * m / (sqrt(v) / sqrt(c2) + eps), the same quantity as the reference's, evaluated in
    /// float instead of double. m and v are bit-identical to <see cref="Reference"/>; w differs by at most
    /// one rounding of w plus about 6 float roundings (~4e-7 relative) of the step lr * mHat / (sqrt(vHat) + eps).
    /// Example: <c>Adam.Apply(w, g, m, v, lr: 1e-3f, 0.9f, 0.999f, 1e-8f, weightDecay: 0.01f, decoupled: true, step: 1)</c>.
    /// </summary>
    public static void Apply(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        float lr, float beta1, float beta2, float epsilon, float weightDecay, bool decoupled, long step)
    {
        Shapes.Check(w.Length, g.Length, m.Length, v.Length);
        CheckStep(step);
        var wv = MemoryMarshal.Cast<float, Vector<float>>(w);
        var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
        var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
        var b1 = new Vector<float>(beta1);
        var b2 = new Vector<float>(beta2);
        var oneMinusB1 = new Vector<float>(1 - beta1);
        var oneMinusB2 = new Vector<float>(1 - beta2);
        var epsV = new Vector<float>(epsilon);
        var wdV = new Vector<float>(weightDecay);
        var shrink = new Vector<float>(1 - lr * weightDecay);
        var stepSize = new Vector<float>((float)(lr / BiasCorrection(beta1, step)));
        var invSqrtC2 = new Vector<float>((float)(1 / Math.Sqrt(BiasCorrection(beta2, step))));
        for (var i = 0; i < wv.Length; i++)
        {
            var wi = wv[i];
            var d = gv[i];
            if (decoupled) wi *= shrink;
            else d += wdV * wi;
            var mi = b1 * mv[i] + oneMinusB1 * d;
            var vi = b2 * vv[i] + oneMinusB2 * d * d;
            mv[i] = mi;
            vv[i] = vi;
            wv[i] = wi - stepSize * mi / (Vector.SquareRoot(vi) * invSqrtC2 + epsV);
        }
        var done = wv.Length * Vector<float>.Count;
        Reference(w[done..], g[done..], m[done..], v[done..], lr, beta1, beta2, epsilon, weightDecay, decoupled, step);
    }

    /// <summary>The scalar reference, one element at a time, as published (bias-corrected moments in double).</summary>
    public static void Reference(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        float lr, float beta1, float beta2, float epsilon, float weightDecay, bool decoupled, long step)
    {
        Shapes.Check(w.Length, g.Length, m.Length, v.Length);
        CheckStep(step);
        var c1 = BiasCorrection(beta1, step);
        var c2 = BiasCorrection(beta2, step);
        for (var i = 0; i < w.Length; i++)
        {
            var d = g[i];
            if (decoupled) w[i] *= 1 - lr * weightDecay;
            else d += weightDecay * w[i];
            m[i] = beta1 * m[i] + (1 - beta1) * d;
            v[i] = beta2 * v[i] + (1 - beta2) * d * d;
            var mHat = m[i] / c1;
            var vHat = v[i] / c2;
            w[i] -= (float)(lr * mHat / (Math.Sqrt(vHat) + epsilon));
        }
    }

    /// <summary>1 - beta^t: the factor that removes the bias of moments started at zero.</summary>
    private static double BiasCorrection(float beta, long step) => 1 - Math.Pow(beta, step);

    private static void CheckStep(long step)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "Adam's step is 1-based");
    }
}
