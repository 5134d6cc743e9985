namespace ParameterServer.Kernels.Updates;

/// <summary>
/// SGD with heavy-ball momentum in PyTorch's form: d = g + wd * w; b = mu * b + d;
/// w -= lr * b, or with Nesterov w -= lr * (d + mu * b).
/// </summary>
public static class Momentum
{
    public static void Apply(Span<float> w, ReadOnlySpan<float> g, Span<float> b, float lr, float momentum, bool nesterov, float weightDecay) =>
        Reference(w, g, b, lr, momentum, nesterov, weightDecay);

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
