using ILGPU;
using ILGPU.Algorithms;

namespace ParameterServer.Kernels.Devices.Cuda;

/// <summary>
/// Device code for the operations along the rows or columns of a row-major rows x cols matrix. A batch has few
/// classes (cols) and a layer few hundred rows, so one thread walks one row or one column, in the order the
/// scalar reference sums.
/// </summary>
internal static class RowKernels
{
    /// <summary>One thread per element: y[r, c] += bias[c].</summary>
    public static void AddBias(Index1D i, ArrayView<float> y, ArrayView<float> bias, int cols) => y[i] += bias[i % cols];

    /// <summary>One thread per column.</summary>
    public static void ColumnSums(Index1D c, ArrayView<float> x, ArrayView<float> sums, int rows, int cols)
    {
        var sum = 0f;
        for (var r = 0; r < rows; r++) sum += x[r * cols + c];
        sums[c] = sum;
    }

    /// <summary>
    /// One thread per row, stable: softmax = exp(x - max) / sum; loss = log(sum) - (x[label] - max);
    /// gradient = (softmax - onehot) * invRows. A label outside [0, cols) gives a NaN loss (a kernel cannot
    /// throw) so that a bad batch shows in the loss instead of training silently.
    /// </summary>
    public static void SoftmaxCrossEntropy(Index1D r, ArrayView<float> logits, ArrayView<int> labels,
        ArrayView<float> losses, ArrayView<float> gradient, int cols, float invRows)
    {
        var row = r * cols;
        var max = logits[row];
        for (var c = 1; c < cols; c++) max = XMath.Max(max, logits[row + c]);
        var sum = 0f;
        for (var c = 0; c < cols; c++) sum += XMath.Exp(logits[row + c] - max);
        var label = labels[r];
        var valid = label >= 0 && label < cols;
        losses[r] = valid ? XMath.Log(sum) - (logits[row + label] - max) : float.NaN;
        for (var c = 0; c < cols; c++)
        {
            var p = XMath.Exp(logits[row + c] - max) / sum;
            gradient[row + c] = (c == label ? p - 1f : p) * invRows;
        }
    }

    /// <summary>One thread per row; the first index wins ties.</summary>
    public static void ArgMaxRows(Index1D r, ArrayView<float> x, ArrayView<int> predictions, int cols)
    {
        var row = r * cols;
        var best = 0;
        for (var c = 1; c < cols; c++)
            if (x[row + c] > x[row + best]) best = c;
        predictions[r] = best;
    }
}
