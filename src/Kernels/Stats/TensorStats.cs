namespace ParameterServer.Kernels.Stats;

/// <summary>Summary statistics of a tensor; Min and Max skip NaN (NaN when every element is NaN).</summary>
public readonly record struct TensorSummary(long Count, double SumOfSquares, float Min, float Max, long NaNCount);

public static class TensorStats
{
    public static TensorSummary Summarize(ReadOnlySpan<float> x)
    {
        double sumSq = 0;
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        long nan = 0;
        foreach (var v in x)
        {
            if (float.IsNaN(v)) { nan++; continue; }
            sumSq += (double)v * v;
            if (v < min) min = v;
            if (v > max) max = v;
        }
        if (nan == x.Length) min = max = float.NaN;
        return new TensorSummary(x.Length, sumSq, min, max, nan);
    }

    /// <summary>True when no element is NaN or infinite.</summary>
    public static bool AllFinite(ReadOnlySpan<float> x)
    {
        foreach (var v in x)
            if (!float.IsFinite(v)) return false;
        return true;
    }
}
