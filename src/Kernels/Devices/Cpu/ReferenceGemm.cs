namespace ParameterServer.Kernels.Devices.Cpu;

/// <summary>
/// GEMM by its definition, one dot product per element accumulated in double: the naive reference that
/// <see cref="CpuGemm"/> and every other device's GEMM are tested against. Far too slow for training.
/// </summary>
public static class ReferenceGemm
{
    /// <summary>C[m,n] = alpha * op(A) * op(B) + beta * C with the layout of <see cref="IDevice.Gemm"/>; C is not read when beta = 0.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, float beta, Span<float> c)
    {
        GemmShape.Check(m, n, k, a, b, c);
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var p = 0; p < k; p++)
                {
                    var aip = transA ? a[p * m + i] : a[i * k + p];
                    var bpj = transB ? b[j * k + p] : b[p * n + j];
                    sum += (double)aip * bpj;
                }
                var old = beta == 0 ? 0 : beta * (double)c[i * n + j];
                c[i * n + j] = (float)(alpha * sum + old);
            }
        }
    }
}
