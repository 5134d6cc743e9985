namespace ParameterServer.Kernels.Devices;

/// <summary>
/// One compute device and the kernels a worker needs. Matrices are row-major and dense. Operations are queued in
/// order on the device's stream and may return before they finish; copies to the host and
/// <see cref="Synchronize"/> wait. The CPU implementation is the readable reference every other device is
/// tested against.
/// </summary>
public interface IDevice : IDisposable
{
    DeviceName Name { get; }

    DeviceBuffer<T> Allocate<T>(long length) where T : unmanaged;

    /// <summary>Copies host values into <paramref name="dst"/> starting at element <paramref name="dstOffset"/>.</summary>
    void CopyToDevice<T>(ReadOnlySpan<T> src, DeviceBuffer<T> dst, long dstOffset = 0) where T : unmanaged;

    /// <summary>Copies <paramref name="dst"/>.Length elements from <paramref name="src"/> starting at <paramref name="srcOffset"/>; waits for queued work.</summary>
    void CopyToHost<T>(DeviceBuffer<T> src, Span<T> dst, long srcOffset = 0) where T : unmanaged;

    /// <summary>Waits until all queued work has finished.</summary>
    void Synchronize();

    /// <summary>C[m,n] = alpha * op(A) * op(B) + beta * C, op(A) m x k, op(B) k x n; A is stored k x m when transposed (likewise B).</summary>
    void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, DeviceBuffer<float> a, DeviceBuffer<float> b, float beta, DeviceBuffer<float> c);

    /// <summary>y[r, c] += bias[c] for a rows x cols matrix.</summary>
    void AddBias(DeviceBuffer<float> y, DeviceBuffer<float> bias, int rows, int cols);

    /// <summary>sums[c] = sum over r of x[r, c] (the bias gradient of a batch).</summary>
    void ColumnSums(DeviceBuffer<float> x, DeviceBuffer<float> sums, int rows, int cols);

    /// <summary>y = max(x, 0) over n elements (y may be x).</summary>
    void Relu(DeviceBuffer<float> x, DeviceBuffer<float> y, long n);

    /// <summary>dx = dy where y &gt; 0, else 0 (y is the ReLU's output; dx may be dy).</summary>
    void ReluBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx, long n);

    /// <summary>
    /// Softmax cross-entropy of a rows x cols batch of logits against integer labels: writes each row's loss into
    /// <paramref name="losses"/> and d(mean loss)/d(logits) into <paramref name="gradient"/> (softmax - onehot) / rows.
    /// </summary>
    void SoftmaxCrossEntropy(DeviceBuffer<float> logits, DeviceBuffer<int> labels, DeviceBuffer<float> losses, DeviceBuffer<float> gradient, int rows, int cols);

    /// <summary>predictions[r] = index of the largest x[r, c] (first on ties).</summary>
    void ArgMaxRows(DeviceBuffer<float> x, DeviceBuffer<int> predictions, int rows, int cols);

    /// <summary>y += alpha * x over n elements (gradient accumulation).</summary>
    void Axpy(float alpha, DeviceBuffer<float> x, DeviceBuffer<float> y, long n);

    /// <summary>x[i] = value over n elements.</summary>
    void Fill(DeviceBuffer<float> x, float value, long n);

    /// <summary>fp32 to bf16 bits (round to nearest even), as transfer encoding.</summary>
    void ToBf16(DeviceBuffer<float> x, DeviceBuffer<ushort> bits, long n);

    void FromBf16(DeviceBuffer<ushort> bits, DeviceBuffer<float> x, long n);

    /// <summary>fp32 to IEEE half bits (round to nearest even).</summary>
    void ToFp16(DeviceBuffer<float> x, DeviceBuffer<ushort> bits, long n);

    void FromFp16(DeviceBuffer<ushort> bits, DeviceBuffer<float> x, long n);

    /// <summary>w -= lr * (g + weightDecay * w), as <see cref="Updates.Sgd"/>.</summary>
    void SgdUpdate(DeviceBuffer<float> w, DeviceBuffer<float> g, float lr, float weightDecay, long n);

    /// <summary>Adam/AdamW step as <see cref="Updates.Adam"/> (1-based <paramref name="step"/>).</summary>
    void AdamUpdate(DeviceBuffer<float> w, DeviceBuffer<float> g, DeviceBuffer<float> m, DeviceBuffer<float> v,
        float lr, float beta1, float beta2, float epsilon, float weightDecay, bool decoupled, long step, long n);
}
