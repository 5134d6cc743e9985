namespace ParameterServer.Kernels.Updates;

/// <summary>Adagrad: d = g + wd * w; s += d^2; w -= lr * d / (sqrt(s) + eps).</summary>
public static class Adagrad
{
    public static void Apply(Span<float> w, ReadOnlySpan<float> g, Span<float> s, float lr, float epsilon, float weightDecay) =>
        Reference(w, g, s, lr, epsilon, weightDecay);

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
