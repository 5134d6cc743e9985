using System.Numerics;
using System.Runtime.InteropServices;

namespace ParameterServer.Kernels.Stats;

/// <summary>Summary statistics of a tensor; Min and Max skip NaN (NaN when every element is NaN).</summary>
public readonly record struct TensorSummary(long Count, double SumOfSquares, float Min, float Max, long NaNCount);

public static class TensorStats
{
    /// <summary>
    /// One vectorized pass; squares are summed in double per lane, so SumOfSquares may differ from
    /// <see cref="SummarizeReference"/> in the last bits (summation order), the rest is exact.
    /// Example: <c>var s = TensorStats.Summarize(values); var l2 = Math.Sqrt(s.SumOfSquares);</c>.
    /// </summary>
    public static TensorSummary Summarize(ReadOnlySpan<float> x)
    {
        var xv = MemoryMarshal.Cast<float, Vector<float>>(x);
        var sumSqV = Vector<double>.Zero;
        var minV = new Vector<float>(float.PositiveInfinity);
        var maxV = new Vector<float>(float.NegativeInfinity);
        var nanV = Vector<int>.Zero;
        foreach (var v in xv)
        {
            // A NaN lane counts once and is replaced by a value that leaves sum, min and max unchanged.
            var isNumber = Vector.Equals(v, v);
            nanV += Vector.ConditionalSelect(isNumber, Vector<int>.Zero, Vector<int>.One);
            Vector.Widen(Vector.ConditionalSelect(isNumber, v, Vector<float>.Zero), out var low, out var high);
            sumSqV += low * low + high * high;
            minV = Vector.Min(minV, Vector.ConditionalSelect(isNumber, v, new Vector<float>(float.PositiveInfinity)));
            maxV = Vector.Max(maxV, Vector.ConditionalSelect(isNumber, v, new Vector<float>(float.NegativeInfinity)));
        }
        var sumSq = Vector.Sum(sumSqV);
        long nan = Vector.Sum(nanV);
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        for (var k = 0; k < Vector<float>.Count; k++)
        {
            min = Math.Min(min, minV[k]);
            max = Math.Max(max, maxV[k]);
        }
        Accumulate(x[(xv.Length * Vector<float>.Count)..], ref sumSq, ref min, ref max, ref nan);
        return Finish(x.Length, sumSq, min, max, nan);
    }

    /// <summary>The scalar reference: one element at a time.</summary>
    public static TensorSummary SummarizeReference(ReadOnlySpan<float> x)
    {
        double sumSq = 0;
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        long nan = 0;
        Accumulate(x, ref sumSq, ref min, ref max, ref nan);
        return Finish(x.Length, sumSq, min, max, nan);
    }

    /// <summary>True when no element is NaN or infinite (exponent bits all ones). Example: <c>if (!TensorStats.AllFinite(g)) reject();</c>.</summary>
    public static bool AllFinite(ReadOnlySpan<float> x)
    {
        var exponent = new Vector<uint>(0x7F80_0000);
        var xv = MemoryMarshal.Cast<float, Vector<uint>>(x);
        foreach (var bits in xv)
            if (Vector.EqualsAny(bits & exponent, exponent)) return false;
        foreach (var v in x[(xv.Length * Vector<uint>.Count)..])
            if (!float.IsFinite(v)) return false;
        return true;
    }

    private static void Accumulate(ReadOnlySpan<float> x, ref double sumSq, ref float min, ref float max, ref long nan)
    {
        foreach (var v in x)
        {
            if (float.IsNaN(v)) { nan++; continue; }
            sumSq += (double)v * v;
            if (v < min) min = v;
            if (v > max) max = v;
        }
    }

    private static TensorSummary Finish(long count, double sumSq, float min, float max, long nan) =>
        nan == count ? new TensorSummary(count, sumSq, float.NaN, float.NaN, nan) : new TensorSummary(count, sumSq, min, max, nan);
}
