namespace ParameterServer.Kernels.Devices.Cpu;

/// <summary>The argument checks every GEMM here shares: non-negative sizes, operands long enough, C apart from A and B.</summary>
internal static class GemmShape
{
    public static void Check(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        Need(a.Length, (long)m * k, "A", m, k);
        Need(b.Length, (long)k * n, "B", k, n);
        Need(c.Length, (long)m * n, "C", m, n);
        if (c.Overlaps(a) || c.Overlaps(b)) throw new ArgumentException("GEMM's C must not overlap A or B");
    }

    private static void Need(int length, long needed, string operand, int rows, int cols)
    {
        if (length < needed)
            throw new ArgumentException($"GEMM operand {operand} holds {length} elements, fewer than its {rows} x {cols}");
    }
}
