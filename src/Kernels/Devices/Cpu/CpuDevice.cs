using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using ParameterServer.Kernels.Encoding;
using ParameterServer.Kernels.Updates;

namespace ParameterServer.Kernels.Devices.Cpu;

/// <summary>
/// The CPU device: buffers in host memory, every operation finished before it returns (so the ordered queue of
/// <see cref="IDevice"/> holds trivially), element-wise work on System.Numerics.Tensors, GEMM on <see cref="CpuGemm"/>.
/// It is the reference the other devices are tested against. Every operation checks all its arguments before it
/// writes anything, and works on the leading elements of buffers that may be longer than needed.
/// Example: <c>using var cpu = new CpuDevice(threads: 2);</c>
/// </summary>
public sealed class CpuDevice : IDevice
{
    private readonly CpuGemm _gemm;
    private bool _disposed;

    /// <summary>A device whose GEMM uses up to <paramref name="threads"/> threads (default: one per processor).</summary>
    public CpuDevice(int? threads = null)
    {
        _gemm = new CpuGemm(threads ?? Environment.ProcessorCount);
    }

    public DeviceName Name => DeviceName.Cpu;

    /// <summary>The most threads one GEMM uses.</summary>
    public int Threads => _gemm.Threads;

    public DeviceBuffer<T> Allocate<T>(long length) where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new CpuBuffer<T>(this, length);
    }

    public void CopyToDevice<T>(ReadOnlySpan<T> src, DeviceBuffer<T> dst, long dstOffset = 0) where T : unmanaged
    {
        var target = Window(dst, dstOffset, src.Length, nameof(dst));
        src.CopyTo(target);
    }

    public void CopyToHost<T>(DeviceBuffer<T> src, Span<T> dst, long srcOffset = 0) where T : unmanaged
    {
        var source = Window(src, srcOffset, dst.Length, nameof(src));
        source.CopyTo(dst);
    }

    /// <summary>Nothing is ever pending: every operation completes before it returns.</summary>
    public void Synchronize() => ObjectDisposedException.ThrowIf(_disposed, this);

    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, DeviceBuffer<float> a, DeviceBuffer<float> b,
        float beta, DeviceBuffer<float> c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var av = Span(a, (long)m * k, nameof(a));
        var bv = Span(b, (long)k * n, nameof(b));
        var cv = Span(c, (long)m * n, nameof(c));
        _gemm.Multiply(transA, transB, m, n, k, alpha, av, bv, beta, cv);
    }

    public void AddBias(DeviceBuffer<float> y, DeviceBuffer<float> bias, int rows, int cols)
    {
        var yv = Span(y, Matrix(rows, cols), nameof(y));
        var bv = Span(bias, cols, nameof(bias));
        for (var r = 0; r < rows; r++)
        {
            var row = yv.Slice(r * cols, cols);
            TensorPrimitives.Add(row, bv, row);
        }
    }

    public void ColumnSums(DeviceBuffer<float> x, DeviceBuffer<float> sums, int rows, int cols)
    {
        var xv = Span(x, Matrix(rows, cols), nameof(x));
        var sv = Span(sums, cols, nameof(sums));
        // Row by row, so each column is summed in row order: the order a reader would write by hand.
        sv.Clear();
        for (var r = 0; r < rows; r++)
            TensorPrimitives.Add(sv, xv.Slice(r * cols, cols), sv);
    }

    /// <summary>y = max(x, 0); NaN stays NaN, so a diverging model shows.</summary>
    public void Relu(DeviceBuffer<float> x, DeviceBuffer<float> y, long n)
    {
        var xv = Span(x, n, nameof(x));
        var yv = Span(y, n, nameof(y));
        TensorPrimitives.Max(xv, 0f, yv);
    }

    public void ReluBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx, long n)
    {
        ReadOnlySpan<float> yv = Span(y, n, nameof(y));
        ReadOnlySpan<float> dyv = Span(dy, n, nameof(dy));
        var dxv = Span(dx, n, nameof(dx));
        var vectors = Vector.IsHardwareAccelerated ? yv.Length / Vector<float>.Count : 0;
        var yVec = MemoryMarshal.Cast<float, Vector<float>>(yv)[..vectors];
        var dyVec = MemoryMarshal.Cast<float, Vector<float>>(dyv)[..vectors];
        var dxVec = MemoryMarshal.Cast<float, Vector<float>>(dxv)[..vectors];
        for (var i = 0; i < vectors; i++)
            dxVec[i] = Vector.ConditionalSelect(Vector.GreaterThan(yVec[i], Vector<float>.Zero), dyVec[i], Vector<float>.Zero);
        for (var i = vectors * Vector<float>.Count; i < yv.Length; i++)
            dxv[i] = yv[i] > 0 ? dyv[i] : 0;
    }

    /// <summary>
    /// Per row, with z the logits, m = max z and s = sum exp(z - m): loss = log s - (z[label] - m), and
    /// gradient = (exp(z - m) / s - onehot(label)) / rows. <paramref name="gradient"/> may be <paramref name="logits"/>.
    /// A label outside [0, cols) is an error, found before anything is written.
    /// </summary>
    public void SoftmaxCrossEntropy(DeviceBuffer<float> logits, DeviceBuffer<int> labels, DeviceBuffer<float> losses,
        DeviceBuffer<float> gradient, int rows, int cols)
    {
        var size = Matrix(rows, cols);
        if (rows > 0 && cols == 0) throw new ArgumentOutOfRangeException(nameof(cols), "softmax needs at least one class");
        var zv = Span(logits, size, nameof(logits));
        var yv = Span(labels, rows, nameof(labels));
        var lv = Span(losses, rows, nameof(losses));
        var gv = Span(gradient, size, nameof(gradient));
        for (var r = 0; r < rows; r++)
        {
            if ((uint)yv[r] >= (uint)cols)
                throw new ArgumentOutOfRangeException(nameof(labels), $"label {yv[r]} of row {r} is not a class in [0, {cols})");
        }
        for (var r = 0; r < rows; r++)
        {
            var z = zv.Slice(r * cols, cols);
            var g = gv.Slice(r * cols, cols);
            var label = yv[r];
            var max = TensorPrimitives.Max(z);
            var shiftedLabel = z[label] - max; // read before g, which may be z, is written
            TensorPrimitives.Subtract(z, max, g);
            TensorPrimitives.Exp(g, g);
            var sum = TensorPrimitives.Sum(g);
            lv[r] = MathF.Log(sum) - shiftedLabel;
            TensorPrimitives.Divide(g, sum, g);
            g[label] -= 1f;
            TensorPrimitives.Divide(g, rows, g);
        }
    }

    /// <summary>The first index of the row's maximum; a row holding NaN answers its first NaN.</summary>
    public void ArgMaxRows(DeviceBuffer<float> x, DeviceBuffer<int> predictions, int rows, int cols)
    {
        var size = Matrix(rows, cols);
        if (rows > 0 && cols == 0) throw new ArgumentOutOfRangeException(nameof(cols), "arg-max needs at least one column");
        var xv = Span(x, size, nameof(x));
        var pv = Span(predictions, rows, nameof(predictions));
        for (var r = 0; r < rows; r++)
            pv[r] = TensorPrimitives.IndexOfMax(xv.Slice(r * cols, cols));
    }

    /// <summary>y = alpha * x + y, multiplied and added separately (not fused).</summary>
    public void Axpy(float alpha, DeviceBuffer<float> x, DeviceBuffer<float> y, long n)
    {
        var xv = Span(x, n, nameof(x));
        var yv = Span(y, n, nameof(y));
        TensorPrimitives.MultiplyAdd(xv, alpha, yv, yv);
    }

    public void Fill(DeviceBuffer<float> x, float value, long n) => Span(x, n, nameof(x)).Fill(value);

    // The encodings write little-endian 16-bit words, which is the layout of a ushort on every CPU .NET runs on here.
    public void ToBf16(DeviceBuffer<float> x, DeviceBuffer<ushort> bits, long n)
    {
        var xv = Span(x, n, nameof(x));
        var bv = Span(bits, n, nameof(bits));
        Bf16.Encode(xv, MemoryMarshal.AsBytes(bv));
    }

    public void FromBf16(DeviceBuffer<ushort> bits, DeviceBuffer<float> x, long n)
    {
        var bv = Span(bits, n, nameof(bits));
        var xv = Span(x, n, nameof(x));
        Bf16.Decode(MemoryMarshal.AsBytes(bv), xv);
    }

    public void ToFp16(DeviceBuffer<float> x, DeviceBuffer<ushort> bits, long n)
    {
        var xv = Span(x, n, nameof(x));
        var bv = Span(bits, n, nameof(bits));
        Fp16.Encode(xv, MemoryMarshal.AsBytes(bv));
    }

    public void FromFp16(DeviceBuffer<ushort> bits, DeviceBuffer<float> x, long n)
    {
        var bv = Span(bits, n, nameof(bits));
        var xv = Span(x, n, nameof(x));
        Fp16.Decode(MemoryMarshal.AsBytes(bv), xv);
    }

    public void SgdUpdate(DeviceBuffer<float> w, DeviceBuffer<float> g, float lr, float weightDecay, long n)
    {
        var wv = Span(w, n, nameof(w));
        var gv = Span(g, n, nameof(g));
        Sgd.Apply(wv, gv, lr, weightDecay);
    }

    public void AdamUpdate(DeviceBuffer<float> w, DeviceBuffer<float> g, DeviceBuffer<float> m, DeviceBuffer<float> v,
        float lr, float beta1, float beta2, float epsilon, float weightDecay, bool decoupled, long step, long n)
    {
        var wv = Span(w, n, nameof(w));
        var gv = Span(g, n, nameof(g));
        var mv = Span(m, n, nameof(m));
        var vv = Span(v, n, nameof(v));
        Adam.Apply(wv, gv, mv, vv, lr, beta1, beta2, epsilon, weightDecay, decoupled, step);
    }

    public void Dispose() => _disposed = true;

    public override string ToString() => $"cpu ({Threads} threads, {(_gemm.UsesFma ? "FMA" : "portable")} GEMM)";

    private static long Matrix(int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        return (long)rows * cols;
    }

    /// <summary>The leading <paramref name="count"/> elements of a buffer of this device.</summary>
    private Span<T> Span<T>(DeviceBuffer<T> buffer, long count, string name) where T : unmanaged => Window(buffer, 0, count, name);

    private Span<T> Window<T>(DeviceBuffer<T> buffer, long offset, long count, string name) where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(buffer, name);
        if (buffer is not CpuBuffer<T> cpu || !ReferenceEquals(buffer.Device, this))
            throw new ArgumentException($"buffer {name} belongs to another device ({buffer.Device.Name})", name);
        ArgumentOutOfRangeException.ThrowIfNegative(count, name);
        if (offset < 0 || offset > buffer.Length - count)
            throw new ArgumentOutOfRangeException(name, $"elements [{offset}, {offset + count}) are outside buffer {name} of {buffer.Length}");
        return cpu.AsSpan().Slice((int)offset, (int)count);
    }
}
