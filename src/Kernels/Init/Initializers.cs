namespace ParameterServer.Kernels.Init;

/// <summary>Fills a slice of a table whose first element has global index <c>firstIndex</c> (row * cols + col).</summary>
public static class Initializers
{
    public static void Uniform(Span<float> dest, long firstIndex, ulong seed, float low, float high)
    {
        for (var i = 0; i < dest.Length; i++)
            dest[i] = (float)(low + (high - low) * CounterRng.Uniform(seed, (ulong)(firstIndex + i)));
    }

    public static void Normal(Span<float> dest, long firstIndex, ulong seed, float mean, float std)
    {
        for (var i = 0; i < dest.Length; i++)
            dest[i] = (float)(mean + std * CounterRng.Normal(seed, (ulong)(firstIndex + i)));
    }

    /// <summary>Glorot/Xavier uniform limit sqrt(6 / (fanIn + fanOut)).</summary>
    public static float XavierLimit(int fanIn, int fanOut) => MathF.Sqrt(6f / (fanIn + fanOut));

    /// <summary>He/Kaiming normal standard deviation sqrt(2 / fanIn).</summary>
    public static float HeStd(int fanIn) => MathF.Sqrt(2f / fanIn);
}
