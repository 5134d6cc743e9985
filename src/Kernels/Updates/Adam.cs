namespace ParameterServer.Kernels.Updates;

/// <summary>
/// Adam (Kingma and Ba) with bias correction, and AdamW (Loshchilov and Hutter) when <c>decoupled</c>:
/// Adam adds wd * w to the gradient; AdamW first shrinks w by (1 - lr * wd). Then
/// m = b1 m + (1 - b1) d; v = b2 v + (1 - b2) d^2; w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps),
/// with t the 1-based step.
/// </summary>
public static class Adam
{
    public static void Apply(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        float lr, float beta1, float beta2, float epsilon, float weightDecay, bool decoupled, long step) =>
        Reference(w, g, m, v, lr, beta1, beta2, epsilon, weightDecay, decoupled, step);

    public static void Reference(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        float lr, float beta1, float beta2, float epsilon, float weightDecay, bool decoupled, long step)
    {
        Shapes.Check(w.Length, g.Length, m.Length, v.Length);
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "Adam's step is 1-based");
        var c1 = 1 - Math.Pow(beta1, step);
        var c2 = 1 - Math.Pow(beta2, step);
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
}
