namespace ParameterServer.Kernels.Tests.Devices.Cuda;

/// <summary>The published definitions, one element at a time in double precision: what every device is held to.</summary>
internal static class ScalarReference
{
    /// <summary>C = alpha op(A) op(B) + beta C, row-major; A is k x m when transposed, B is n x k.</summary>
    public static float[] Gemm(bool transA, bool transB, int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c)
    {
        var result = new float[m * n];
        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
            {
                var sum = 0.0;
                for (var p = 0; p < k; p++)
                    sum += (double)(transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
                result[i * n + j] = (float)(alpha * sum + (beta == 0 ? 0 : (double)beta * c[i * n + j]));
            }
        return result;
    }

    public static float[] AddBias(float[] y, float[] bias, int rows, int cols)
    {
        var result = (float[])y.Clone();
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++) result[r * cols + c] += bias[c];
        return result;
    }

    public static float[] ColumnSums(float[] x, int rows, int cols)
    {
        var sums = new float[cols];
        for (var c = 0; c < cols; c++)
        {
            var sum = 0.0;
            for (var r = 0; r < rows; r++) sum += x[r * cols + c];
            sums[c] = (float)sum;
        }
        return sums;
    }

    /// <summary>loss_r = -log(exp(x[r, y_r]) / sum_c exp(x[r, c])); gradient = (softmax - onehot) / rows.</summary>
    public static (float[] Losses, float[] Gradient) SoftmaxCrossEntropy(float[] logits, int[] labels, int rows, int cols)
    {
        var losses = new float[rows];
        var gradient = new float[rows * cols];
        for (var r = 0; r < rows; r++)
        {
            var sum = 0.0;
            for (var c = 0; c < cols; c++) sum += Math.Exp(logits[r * cols + c]);
            losses[r] = (float)-Math.Log(Math.Exp(logits[r * cols + labels[r]]) / sum);
            for (var c = 0; c < cols; c++)
                gradient[r * cols + c] = (float)((Math.Exp(logits[r * cols + c]) / sum - (c == labels[r] ? 1 : 0)) / rows);
        }
        return (losses, gradient);
    }

    public static int[] ArgMaxRows(float[] x, int rows, int cols)
    {
        var predictions = new int[rows];
        for (var r = 0; r < rows; r++)
            for (var c = 1; c < cols; c++)
                if (x[r * cols + c] > x[r * cols + predictions[r]]) predictions[r] = c;
        return predictions;
    }
}
