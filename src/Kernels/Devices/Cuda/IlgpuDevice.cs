using System.Diagnostics.CodeAnalysis;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace ParameterServer.Kernels.Devices.Cuda;

/// <summary>
/// <see cref="IDevice"/> on an ILGPU accelerator: a CUDA GPU (GEMM through cuBLAS, or the tiled kernel where cuBLAS is
/// missing), or ILGPU's CPU accelerator, which runs the same kernels slowly and serves the tests on machines
/// without a GPU. All work is queued on the accelerator's default stream; a second stream carries the
/// asynchronous copies of <see cref="CopyToDeviceAsync{T}"/> and <see cref="CopyToHostAsync{T}"/>.
/// Example: <c>if (IlgpuDevice.TryOpenCuda(0, out var gpu, out var why)) using (gpu) { ... }</c>
/// </summary>
public sealed class IlgpuDevice : IDevice
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly LoadedKernels _kernels;
    private readonly IGemm _gemm;
    private readonly AcceleratorStream _copyStream;

    private IlgpuDevice(DeviceName name, Context context, Accelerator accelerator, bool useCublas)
    {
        Name = name;
        _context = context;
        _accelerator = accelerator;
        try
        {
            _kernels = new LoadedKernels(accelerator);
            _gemm = (useCublas && accelerator is CudaAccelerator cuda ? CublasGemm.TryCreate(cuda) : null)
                ?? (IGemm)new TiledGemm(accelerator);
            _copyStream = accelerator.CreateStream();
        }
        catch
        {
            accelerator.Dispose();
            context.Dispose();
            throw;
        }
    }

    public DeviceName Name { get; }

    /// <summary>The accelerator, for reports: "NVIDIA H100 80GB HBM3", "CPUAccelerator".</summary>
    public string AcceleratorName => _accelerator.Name;

    /// <summary>What runs <see cref="Gemm"/>, for reports: "cublas (/path/libcublas.so.13)" or "tiled 16x16".</summary>
    public string GemmBackend => _gemm.Name;

    public bool UsesCublas => _gemm is CublasGemm;

    /// <summary>
    /// Opens CUDA device <paramref name="index"/>, or says why not (no driver, no device, index out of range, an
    /// error of the driver). <paramref name="useCublas"/> false runs GEMM on the tiled kernel (to compare them).
    /// </summary>
    public static bool TryOpenCuda(int index, [NotNullWhen(true)] out IlgpuDevice? device, out string whyNot, bool useCublas = true)
    {
        device = null;
        CudaLibraries.InstallResolver();
        if (!CudaLibraries.HasDriver())
        {
            whyNot = "no CUDA driver (neither libcuda.so.1 nor libcuda.so loads)";
            return false;
        }
        Context? context = null;
        try
        {
            context = Context.Create(builder => builder.Cuda().EnableAlgorithms());
            var count = context.GetCudaDevices().Count;
            if (index < 0 || index >= count)
            {
                whyNot = count == 0 ? "the CUDA driver reports no usable device" : $"cuda:{index} does not exist ({count} CUDA device(s))";
                context.Dispose();
                return false;
            }
            device = new IlgpuDevice(DeviceName.Cuda(index), context, context.CreateCudaAccelerator(index), useCublas);
            whyNot = "";
            return true;
        }
        catch (Exception e) when (e is CudaException or DllNotFoundException or EntryPointNotFoundException or NotSupportedException)
        {
            context?.Dispose();
            whyNot = $"cuda:{index} failed to open: {e.Message}";
            return false;
        }
    }

    /// <summary>Opens CUDA device <paramref name="index"/> or throws <see cref="InvalidOperationException"/> saying why not.</summary>
    public static IlgpuDevice OpenCuda(int index) =>
        TryOpenCuda(index, out var device, out var whyNot) ? device : throw new InvalidOperationException(whyNot);

    /// <summary>
    /// The same kernels on ILGPU's CPU accelerator (threads simulate a GPU's groups; slow): how the CUDA code is
    /// tested without a GPU. Its name is "cpu".
    /// </summary>
    public static IlgpuDevice OpenCpuAccelerator()
    {
        var context = Context.Create(builder => builder.CPU().EnableAlgorithms());
        return new IlgpuDevice(DeviceName.Cpu, context, context.CreateCPUAccelerator(0), useCublas: false);
    }

    public DeviceBuffer<T> Allocate<T>(long length) where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _accelerator.Bind();
        return new IlgpuBuffer<T>(this, _accelerator.Allocate1D<T>(length));
    }

    public void CopyToDevice<T>(ReadOnlySpan<T> src, DeviceBuffer<T> dst, long dstOffset = 0) where T : unmanaged =>
        Range(dst, dstOffset, src.Length).CopyFromCPU(_accelerator.DefaultStream, src);

    public void CopyToHost<T>(DeviceBuffer<T> src, Span<T> dst, long srcOffset = 0) where T : unmanaged =>
        Range(src, srcOffset, dst.Length).CopyToCPU(_accelerator.DefaultStream, dst);

    public void Synchronize()
    {
        _accelerator.Bind();
        _accelerator.Synchronize();
    }

    /// <summary>Page-locked host memory for the asynchronous copies.</summary>
    public PinnedHostBuffer<T> AllocatePinned<T>(long length) where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _accelerator.Bind();
        return new PinnedHostBuffer<T>(this, _accelerator.AllocatePageLocked1D<T>(length));
    }

    /// <summary>
    /// Starts copying all of <paramref name="src"/> into <paramref name="dst"/> at <paramref name="dstOffset"/> on the copy
    /// stream and returns at once, so that a copy overlaps the compute stream's work. The two streams are not ordered:
    /// copy into a buffer no queued kernel uses, and call <see cref="SynchronizeCopies"/> before a kernel reads it.
    /// </summary>
    public void CopyToDeviceAsync<T>(PinnedHostBuffer<T> src, DeviceBuffer<T> dst, long dstOffset = 0) where T : unmanaged
    {
        Own(src);
        Range(dst, dstOffset, src.Length).CopyFromPageLockedAsync(_copyStream, src.Array);
    }

    /// <summary>
    /// Starts copying <paramref name="dst"/>.Length elements of <paramref name="src"/> from <paramref name="srcOffset"/>
    /// into pinned memory on the copy stream and returns at once. The copy does not wait for the compute stream: call
    /// <see cref="Synchronize"/> after the kernels that write <paramref name="src"/>, and <see cref="SynchronizeCopies"/>
    /// before reading <paramref name="dst"/>.
    /// </summary>
    public void CopyToHostAsync<T>(DeviceBuffer<T> src, PinnedHostBuffer<T> dst, long srcOffset = 0) where T : unmanaged
    {
        Own(dst);
        Range(src, srcOffset, dst.Length).CopyToPageLockedAsync(_copyStream, dst.Array);
    }

    /// <summary>Waits until every asynchronous copy has finished.</summary>
    public void SynchronizeCopies()
    {
        _accelerator.Bind();
        _copyStream.Synchronize();
    }

    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, DeviceBuffer<float> a, DeviceBuffer<float> b, float beta, DeviceBuffer<float> c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var shape = new GemmShape(m, n, k, transA ? 1 : 0, transB ? 1 : 0, alpha, beta);
        var av = Range(a, 0, (long)m * k);
        var bv = Range(b, 0, (long)k * n);
        var cv = Range(c, 0, (long)m * n);
        if (m == 0 || n == 0) return;
        _gemm.Gemm(shape, av, bv, cv);
    }

    public void AddBias(DeviceBuffer<float> y, DeviceBuffer<float> bias, int rows, int cols)
    {
        var n = Elements(rows, cols);
        var yv = Range(y, 0, n);
        var bv = Range(bias, 0, cols);
        if (n > 0) _kernels.AddBias((int)n, yv, bv, cols);
    }

    public void ColumnSums(DeviceBuffer<float> x, DeviceBuffer<float> sums, int rows, int cols)
    {
        var xv = Range(x, 0, Elements(rows, cols));
        var sv = Range(sums, 0, cols);
        if (cols > 0) _kernels.ColumnSums(cols, xv, sv, rows, cols);
    }

    public void Relu(DeviceBuffer<float> x, DeviceBuffer<float> y, long n)
    {
        var xv = Range(x, 0, n);
        var yv = Range(y, 0, n);
        if (n > 0) _kernels.Relu(Count(n), xv, yv);
    }

    public void ReluBackward(DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx, long n)
    {
        var yv = Range(y, 0, n);
        var dyv = Range(dy, 0, n);
        var dxv = Range(dx, 0, n);
        if (n > 0) _kernels.ReluBackward(Count(n), yv, dyv, dxv);
    }

    /// <summary>As <see cref="IDevice.SoftmaxCrossEntropy"/>; a label outside [0, cols) gives that row a NaN loss.</summary>
    public void SoftmaxCrossEntropy(DeviceBuffer<float> logits, DeviceBuffer<int> labels, DeviceBuffer<float> losses, DeviceBuffer<float> gradient, int rows, int cols)
    {
        var n = Elements(rows, cols);
        ArgumentOutOfRangeException.ThrowIfZero(cols);
        var xv = Range(logits, 0, n);
        var lv = Range(labels, 0, rows);
        var ov = Range(losses, 0, rows);
        var gv = Range(gradient, 0, n);
        if (rows > 0) _kernels.SoftmaxCrossEntropy(rows, xv, lv, ov, gv, cols, 1f / rows);
    }

    public void ArgMaxRows(DeviceBuffer<float> x, DeviceBuffer<int> predictions, int rows, int cols)
    {
        var n = Elements(rows, cols);
        ArgumentOutOfRangeException.ThrowIfZero(cols);
        var xv = Range(x, 0, n);
        var pv = Range(predictions, 0, rows);
        if (rows > 0) _kernels.ArgMaxRows(rows, xv, pv, cols);
    }

    public void Axpy(float alpha, DeviceBuffer<float> x, DeviceBuffer<float> y, long n)
    {
        var xv = Range(x, 0, n);
        var yv = Range(y, 0, n);
        if (n > 0) _kernels.Axpy(Count(n), alpha, xv, yv);
    }

    public void Fill(DeviceBuffer<float> x, float value, long n)
    {
        var xv = Range(x, 0, n);
        if (n > 0) _kernels.Fill(Count(n), xv, value);
    }

    public void ToBf16(DeviceBuffer<float> x, DeviceBuffer<ushort> bits, long n)
    {
        var xv = Range(x, 0, n);
        var bv = Range(bits, 0, n);
        if (n > 0) _kernels.ToBf16(Count(n), xv, bv);
    }

    public void FromBf16(DeviceBuffer<ushort> bits, DeviceBuffer<float> x, long n)
    {
        var bv = Range(bits, 0, n);
        var xv = Range(x, 0, n);
        if (n > 0) _kernels.FromBf16(Count(n), bv, xv);
    }

    public void ToFp16(DeviceBuffer<float> x, DeviceBuffer<ushort> bits, long n)
    {
        var xv = Range(x, 0, n);
        var bv = Range(bits, 0, n);
        if (n > 0) _kernels.ToFp16(Count(n), xv, bv);
    }

    public void FromFp16(DeviceBuffer<ushort> bits, DeviceBuffer<float> x, long n)
    {
        var bv = Range(bits, 0, n);
        var xv = Range(x, 0, n);
        if (n > 0) _kernels.FromFp16(Count(n), bv, xv);
    }

    public void SgdUpdate(DeviceBuffer<float> w, DeviceBuffer<float> g, float lr, float weightDecay, long n)
    {
        var wv = Range(w, 0, n);
        var gv = Range(g, 0, n);
        if (n > 0) _kernels.Sgd(Count(n), wv, gv, lr, weightDecay);
    }

    public void AdamUpdate(DeviceBuffer<float> w, DeviceBuffer<float> g, DeviceBuffer<float> m, DeviceBuffer<float> v,
        float lr, float beta1, float beta2, float epsilon, float weightDecay, bool decoupled, long step, long n)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "Adam's step is 1-based");
        var wv = Range(w, 0, n);
        var gv = Range(g, 0, n);
        var mv = Range(m, 0, n);
        var vv = Range(v, 0, n);
        var s = new AdamStep(lr, beta1, beta2, epsilon, weightDecay, decoupled ? 1 : 0,
            (float)(1 - Math.Pow(beta1, step)), (float)(1 - Math.Pow(beta2, step)));
        if (n > 0) _kernels.Adam(Count(n), wv, gv, mv, vv, s);
    }

    public void Dispose()
    {
        _accelerator.Bind();
        _copyStream.Dispose();
        _gemm.Dispose();
        _accelerator.Dispose();
        _context.Dispose();
    }

    /// <summary>
    /// The view of elements [offset, offset + length) of a buffer of this device; anything else is the caller's bug.
    /// Every operation passes here first, so this also makes the accelerator current on the calling thread: a CUDA
    /// context is per thread, and a worker's continuations move between pool threads (a no-op when already bound).
    /// </summary>
    private ArrayView1D<T, Stride1D.Dense> Range<T>(DeviceBuffer<T> buffer, long offset, long length) where T : unmanaged
    {
        _accelerator.Bind();
        if (buffer is not IlgpuBuffer<T> own || !ReferenceEquals(own.Device, this))
            throw new ArgumentException($"the buffer belongs to {buffer.Device.Name}, not to this {Name} device", nameof(buffer));
        if (offset < 0 || length < 0 || offset + length > buffer.Length)
            throw new ArgumentOutOfRangeException(nameof(length), $"elements [{offset}, {offset + length}) exceed the buffer's {buffer.Length}");
        return own.View.SubView(offset, length);
    }

    private void Own<T>(PinnedHostBuffer<T> buffer) where T : unmanaged
    {
        if (!ReferenceEquals(buffer.Device, this)) throw new ArgumentException("the pinned buffer belongs to another device", nameof(buffer));
    }

    private static long Elements(int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        return (long)rows * cols;
    }

    /// <summary>Kernels index with 32-bit integers (8 GiB of floats is beyond any layer here).</summary>
    private static int Count(long n) =>
        n <= int.MaxValue ? (int)n : throw new ArgumentOutOfRangeException(nameof(n), n, "more elements than a kernel launch indexes");
}
