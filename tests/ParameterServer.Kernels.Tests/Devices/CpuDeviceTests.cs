using ParameterServer.Kernels.Devices;
using ParameterServer.Kernels.Devices.Cpu;

namespace ParameterServer.Kernels.Tests.Devices;

/// <summary>Every CpuDevice operation against a scalar computation written out here.</summary>
public sealed class CpuDeviceTests : IDisposable
{
    private readonly CpuDevice _cpu = new(threads: 2);

    public void Dispose() => _cpu.Dispose();

    private DeviceBuffer<T> Upload<T>(T[] values) where T : unmanaged
    {
        var buffer = _cpu.Allocate<T>(values.Length);
        _cpu.CopyToDevice<T>(values, buffer);
        return buffer;
    }

    private T[] Download<T>(DeviceBuffer<T> buffer) where T : unmanaged
    {
        var values = new T[buffer.Length];
        _cpu.CopyToHost(buffer, values.AsSpan());
        return values;
    }

    [Fact]
    public void Copies_are_honest_copies_at_offsets()
    {
        using var buffer = _cpu.Allocate<float>(5);
        Assert.Equal(new float[5], Download(buffer));
        float[] host = [1, 2, 3];
        _cpu.CopyToDevice<float>(host, buffer, dstOffset: 2);
        host[0] = 99; // the device keeps what was copied
        Assert.Equal([0f, 0f, 1f, 2f, 3f], Download(buffer));
        var back = new float[2];
        _cpu.CopyToHost(buffer, back.AsSpan(), srcOffset: 3);
        Assert.Equal([2f, 3f], back);
        back[0] = 99; // and the host keeps what it got
        Assert.Equal([0f, 0f, 1f, 2f, 3f], Download(buffer));
    }

    [Fact]
    public void Copies_outside_the_buffer_are_rejected_and_change_nothing()
    {
        using var buffer = Upload(new float[] { 1, 2, 3 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _cpu.CopyToDevice<float>(new float[2], buffer, dstOffset: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => _cpu.CopyToDevice<float>(new float[1], buffer, dstOffset: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _cpu.CopyToHost(buffer, new float[4].AsSpan()));
        Assert.Throws<ArgumentOutOfRangeException>(() => _cpu.Allocate<float>(-1));
        Assert.Equal([1f, 2f, 3f], Download(buffer));
    }

    [Fact]
    public void Buffers_of_another_device_and_disposed_ones_are_rejected()
    {
        using var other = new CpuDevice(threads: 1);
        using var foreign = other.Allocate<float>(4);
        using var mine = _cpu.Allocate<float>(4);
        Assert.Throws<ArgumentException>(() => _cpu.Axpy(1f, foreign, mine, 4));
        mine.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _cpu.Fill(mine, 1f, 4));
        other.Dispose();
        Assert.Throws<ObjectDisposedException>(() => other.Allocate<float>(1));
    }

    [Fact]
    public void Gemm_runs_the_blocked_gemm_on_device_buffers()
    {
        // A (2 x 3) = [[1, 2, 3], [4, 5, 6]], B stored transposed (2 x 3) = [[1, 0, 2], [0, 1, -1]]:
        // A B^T = [[1 + 6, 2 - 3], [4 + 12, 5 - 6]] = [[7, -1], [16, -1]].
        using var a = Upload(new float[] { 1, 2, 3, 4, 5, 6 });
        using var b = Upload(new float[] { 1, 0, 2, 0, 1, -1 });
        using var c = Upload(new float[] { 9, 9, 9, 9 });
        _cpu.Gemm(false, true, 2, 2, 3, 1f, a, b, 0f, c);
        Assert.Equal([7f, -1f, 16f, -1f], Download(c));
        Assert.Throws<ArgumentException>(() => _cpu.Gemm(false, false, 2, 2, 3, 1f, a, b, 0f, a));
        Assert.Throws<ArgumentOutOfRangeException>(() => _cpu.Gemm(false, false, 2, 3, 3, 1f, a, b, 0f, c));
        Assert.Equal([7f, -1f, 16f, -1f], Download(c));
    }

    [Fact]
    public void AddBias_adds_the_bias_to_every_row()
    {
        var y = Seeded.Uniform(5 * 7, 10);
        var bias = Seeded.Uniform(7, 11);
        using var yd = Upload(y);
        using var bd = Upload(bias);
        _cpu.AddBias(yd, bd, 5, 7);
        var got = Download(yd);
        for (var r = 0; r < 5; r++)
            for (var c = 0; c < 7; c++)
                Assert.Equal(y[r * 7 + c] + bias[c], got[r * 7 + c]);
    }

    [Fact]
    public void ColumnSums_sum_each_column_in_row_order()
    {
        var x = Seeded.Uniform(9 * 13, 12);
        using var xd = Upload(x);
        using var sums = Upload(Enumerable.Repeat(123f, 13).ToArray()); // overwritten, not added to
        _cpu.ColumnSums(xd, sums, 9, 13);
        var got = Download(sums);
        for (var c = 0; c < 13; c++)
        {
            var expected = 0f;
            for (var r = 0; r < 9; r++) expected += x[r * 13 + c];
            Assert.Equal(expected, got[c]);
        }
    }

    [Fact]
    public void Relu_keeps_positives_zeroes_the_rest_and_keeps_NaN()
    {
        float[] x = [-2f, -0f, 0f, 0.5f, 3f, float.NaN, float.NegativeInfinity, -1e-30f, 1e-30f, 7f, -7f];
        using var xd = Upload(x);
        using var yd = _cpu.Allocate<float>(x.Length);
        _cpu.Relu(xd, yd, x.Length);
        Assert.Equal([0f, 0f, 0f, 0.5f, 3f, float.NaN, 0f, 0f, 1e-30f, 7f, 0f], Download(yd));
        _cpu.Relu(xd, xd, x.Length); // in place
        Assert.Equal(Download(yd), Download(xd));
    }

    [Fact]
    public void ReluBackward_passes_the_gradient_where_the_output_is_positive()
    {
        var y = Seeded.Uniform(37, 13); // 37: whole vectors and a scalar tail
        y[0] = 0f;
        var dy = Seeded.Uniform(37, 14);
        using var yd = Upload(y);
        using var dyd = Upload(dy);
        using var dxd = _cpu.Allocate<float>(37);
        _cpu.ReluBackward(yd, dyd, dxd, 37);
        var expected = y.Select((v, i) => v > 0 ? dy[i] : 0f).ToArray();
        Assert.Equal(expected, Download(dxd));
        _cpu.ReluBackward(yd, dyd, dyd, 37); // dx may be dy
        Assert.Equal(expected, Download(dyd));
    }

    [Fact]
    public void SoftmaxCrossEntropy_matches_a_2x3_example_worked_by_hand()
    {
        // Row 0: z = [1, 2, 3], label 2. m = 3, exp(z - m) = [e^-2, e^-1, 1] = [0.135335283, 0.367879441, 1],
        // s = 1.503214724, loss = ln s - 0 = 0.407605964, softmax = [0.090030573, 0.244728471, 0.665240956],
        // gradient = (softmax - [0, 0, 1]) / 2 = [0.045015287, 0.122364236, -0.167379522].
        // Row 1: z = [1000, 1000, 1000] (exp(1000) overflows unless shifted), label 0: softmax = 1/3 each,
        // loss = ln 3 = 1.098612289, gradient = ([1/3, 1/3, 1/3] - [1, 0, 0]) / 2 = [-1/3, 1/6, 1/6].
        using var logits = Upload(new float[] { 1, 2, 3, 1000, 1000, 1000 });
        using var labels = Upload(new[] { 2, 0 });
        using var losses = _cpu.Allocate<float>(2);
        using var gradient = _cpu.Allocate<float>(6);
        _cpu.SoftmaxCrossEntropy(logits, labels, losses, gradient, 2, 3);
        AssertClose([0.407605964f, 1.098612289f], Download(losses), 1e-6f);
        AssertClose([0.045015287f, 0.122364236f, -0.167379522f, -1f / 3, 1f / 6, 1f / 6], Download(gradient), 1e-6f);
    }

    [Fact]
    public void SoftmaxCrossEntropy_matches_a_scalar_double_computation_and_may_overwrite_the_logits()
    {
        const int rows = 5, cols = 11;
        var z = Seeded.Uniform(rows * cols, 15, -8f, 8f);
        int[] y = [0, 10, 3, 3, 7];
        using var logits = Upload(z);
        using var labels = Upload(y);
        using var losses = _cpu.Allocate<float>(rows);
        _cpu.SoftmaxCrossEntropy(logits, labels, losses, logits, rows, cols);
        var gotLoss = Download(losses);
        var gotGrad = Download(logits);
        for (var r = 0; r < rows; r++)
        {
            double sum = 0;
            for (var c = 0; c < cols; c++) sum += Math.Exp(z[r * cols + c]);
            Assert.Equal(Math.Log(sum) - z[r * cols + y[r]], gotLoss[r], 1e-5);
            for (var c = 0; c < cols; c++)
            {
                var expected = (Math.Exp(z[r * cols + c]) / sum - (c == y[r] ? 1 : 0)) / rows;
                Assert.Equal(expected, gotGrad[r * cols + c], 1e-6);
            }
        }
    }

    [Fact]
    public void SoftmaxCrossEntropy_rejects_a_label_outside_the_classes_before_writing()
    {
        using var logits = Upload(new float[] { 1, 2, 3, 4, 5, 6 });
        using var labels = Upload(new[] { 1, 3 });
        using var losses = Upload(new float[] { 7, 7 });
        using var gradient = Upload(new float[] { 7, 7, 7, 7, 7, 7 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _cpu.SoftmaxCrossEntropy(logits, labels, losses, gradient, 2, 3));
        Assert.Equal([7f, 7f], Download(losses));
        Assert.All(Download(gradient), g => Assert.Equal(7f, g));
    }

    [Fact]
    public void ArgMaxRows_picks_the_first_largest()
    {
        float[] x = [1, 5, 5, 2, /**/ -3, -1, -2, -1, /**/ 0, 0, 0, 0, /**/ 1, 2, 3, 4];
        using var xd = Upload(x);
        using var predictions = _cpu.Allocate<int>(4);
        _cpu.ArgMaxRows(xd, predictions, 4, 4);
        Assert.Equal([1, 1, 0, 3], Download(predictions));
    }

    [Fact]
    public void Axpy_adds_alpha_times_x()
    {
        var x = Seeded.Uniform(29, 16);
        var y = Seeded.Uniform(29, 17);
        using var xd = Upload(x);
        using var yd = Upload(y);
        _cpu.Axpy(-0.3f, xd, yd, 29);
        Assert.Equal(y.Select((v, i) => v + -0.3f * x[i]).ToArray(), Download(yd));
    }

    [Fact]
    public void Fill_sets_the_leading_elements_only()
    {
        using var xd = Upload(new float[] { 1, 2, 3, 4 });
        _cpu.Fill(xd, -2.5f, 3);
        Assert.Equal([-2.5f, -2.5f, -2.5f, 4f], Download(xd));
        Assert.Throws<ArgumentOutOfRangeException>(() => _cpu.Fill(xd, 0f, 5));
    }

    [Fact]
    public void Bf16_rounds_to_nearest_even_and_decodes_exactly()
    {
        // 1 + 2^-8 lies halfway between bf16 1 (0x3F80) and 1 + 2^-7 (0x3F81): even 0x3F80. 1 + 3 * 2^-8 lies halfway
        // between 0x3F81 and 0x3F82: even 0x3F82. pi = 0x40490FDB rounds down to 0x4049; -2 is exact, 0xC000.
        float[] x = [1f, 1f + MathF.Pow(2, -8), 1f + 3 * MathF.Pow(2, -8), MathF.PI, -2f, float.PositiveInfinity];
        ushort[] expected = [0x3F80, 0x3F80, 0x3F82, 0x4049, 0xC000, 0x7F80];
        var random = Seeded.Uniform(64, 18, -1000f, 1000f);
        using var xd = Upload(x.Concat(random).ToArray());
        using var bits = _cpu.Allocate<ushort>(xd.Length);
        using var back = _cpu.Allocate<float>(xd.Length);
        _cpu.ToBf16(xd, bits, xd.Length);
        _cpu.FromBf16(bits, back, xd.Length);
        var got = Download(bits);
        Assert.Equal(expected, got[..x.Length]);
        var decoded = Download(back);
        for (var i = 0; i < random.Length; i++)
        {
            // The nearest bf16 value by distance: the truncation or the next one up, ties to the even one.
            var v = random[i];
            var down = BitConverter.SingleToUInt32Bits(v) & 0xFFFF0000u;
            var up = down + 0x10000u;
            var dDown = Math.Abs((double)v - BitConverter.UInt32BitsToSingle(down));
            var dUp = Math.Abs((double)BitConverter.UInt32BitsToSingle(up) - v);
            var nearest = dDown < dUp || (dDown == dUp && (down & 0x10000u) == 0) ? down : up;
            Assert.Equal((ushort)(nearest >> 16), got[x.Length + i]);
            Assert.Equal(BitConverter.UInt32BitsToSingle(nearest), decoded[x.Length + i]);
        }
    }

    [Fact]
    public void Fp16_matches_System_Half()
    {
        var x = Seeded.Uniform(70, 19, -70000f, 70000f).Concat([1f / 3, 65504f, 65520f, 6e-8f, float.NaN]).ToArray();
        using var xd = Upload(x);
        using var bits = _cpu.Allocate<ushort>(x.Length);
        using var back = _cpu.Allocate<float>(x.Length);
        _cpu.ToFp16(xd, bits, x.Length);
        _cpu.FromFp16(bits, back, x.Length);
        Assert.Equal(x.Select(v => BitConverter.HalfToUInt16Bits((Half)v)).ToArray(), Download(bits));
        Assert.Equal(x.Select(v => (float)(Half)v).ToArray(), Download(back));
    }

    [Fact]
    public void SgdUpdate_follows_the_published_rule()
    {
        var w = Seeded.Uniform(21, 20);
        var g = Seeded.Uniform(21, 21);
        using var wd = Upload(w);
        using var gd = Upload(g);
        _cpu.SgdUpdate(wd, gd, 0.1f, 0.01f, 21);
        // w - lr (g + wd w)
        AssertClose(w.Select((v, i) => v - 0.1f * (g[i] + 0.01f * v)).ToArray(), Download(wd), 1e-6f);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AdamUpdate_follows_the_published_rule(bool decoupled)
    {
        const float lr = 0.01f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, decay = 0.1f;
        const long step = 3;
        var w = Seeded.Uniform(19, 22);
        var g = Seeded.Uniform(19, 23);
        var m = Seeded.Uniform(19, 24, -0.1f, 0.1f);
        var v = Seeded.Uniform(19, 25, 0f, 0.01f);
        using var wd = Upload(w);
        using var gd = Upload(g);
        using var md = Upload(m);
        using var vd = Upload(v);
        _cpu.AdamUpdate(wd, gd, md, vd, lr, b1, b2, eps, decay, decoupled, step, 19);
        var gotW = Download(wd);
        var gotM = Download(md);
        var gotV = Download(vd);
        for (var i = 0; i < 19; i++)
        {
            // Kingma and Ba with bias correction; AdamW shrinks w by (1 - lr wd) first, Adam adds wd w to g.
            double wi = w[i], d = g[i];
            if (decoupled) wi *= 1 - lr * decay;
            else d += decay * wi;
            var mi = b1 * m[i] + (1 - b1) * d;
            var vi = b2 * v[i] + (1 - b2) * d * d;
            var mHat = mi / (1 - Math.Pow(b1, step));
            var vHat = vi / (1 - Math.Pow(b2, step));
            wi -= lr * mHat / (Math.Sqrt(vHat) + eps);
            Assert.Equal(mi, gotM[i], 1e-6);
            Assert.Equal(vi, gotV[i], 1e-7);
            Assert.Equal(wi, gotW[i], 1e-5);
        }
    }

    [Fact]
    public void Element_counts_beyond_a_buffer_are_rejected_before_anything_is_written()
    {
        using var x = Upload(new float[] { 1, 2, 3 });
        using var y = Upload(new float[] { 4, 5, 6, 7 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _cpu.Axpy(1f, x, y, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => _cpu.Relu(y, x, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => _cpu.AddBias(y, x, 1, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => _cpu.SgdUpdate(y, x, 0.1f, 0f, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => _cpu.ColumnSums(y, x, 1, -1));
        Assert.Equal([1f, 2f, 3f], Download(x));
        Assert.Equal([4f, 5f, 6f, 7f], Download(y));
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], tolerance);
    }
}
