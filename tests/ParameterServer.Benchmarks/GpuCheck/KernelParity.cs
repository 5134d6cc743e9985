using ParameterServer.Kernels.Devices;

namespace ParameterServer.Benchmarks.GpuCheck;

/// <summary>One operation's agreement: the largest |subject - reference| and whether every element is within tol + |ref| * eps.</summary>
internal readonly record struct ParityResult(string Operation, int Elements, double MaxAbsoluteError, bool Passed);

/// <summary>
/// Runs every operation of <see cref="IDevice"/> with the same seeded inputs of a layer's size on a subject device
/// and on the reference device, and compares the outputs: floats within a tolerance, encodings and arg-max exactly.
/// </summary>
internal static class KernelParity
{
    public static List<ParityResult> Run(IDevice subject, IDevice reference, int rows, int cols, int inner)
    {
        var n = rows * cols;
        var results = new List<ParityResult>();
        foreach (var (transA, transB) in new[] { (false, false), (true, false), (false, true), (true, true) })
            results.Add(Compare($"gemm {(transA ? "T" : "N")}{(transB ? "T" : "N")} {rows}x{cols}x{inner}", subject, reference, 1e-4f * MathF.Sqrt(inner), 1e-4f, d =>
            {
                using var a = Upload(d, Seeded(1, rows * inner));
                using var b = Upload(d, Seeded(2, inner * cols));
                using var c = Upload(d, Seeded(3, n));
                d.Gemm(transA, transB, rows, cols, inner, 0.5f, a, b, 0.25f, c);
                return Download(d, c);
            }));
        results.Add(Compare("add bias", subject, reference, 1e-6f, 1e-6f, d =>
        {
            using var y = Upload(d, Seeded(4, n));
            using var bias = Upload(d, Seeded(5, cols));
            d.AddBias(y, bias, rows, cols);
            return Download(d, y);
        }));
        results.Add(Compare("column sums", subject, reference, 1e-5f * rows, 1e-5f, d =>
        {
            using var x = Upload(d, Seeded(6, n));
            using var sums = d.Allocate<float>(cols);
            d.ColumnSums(x, sums, rows, cols);
            return Download(d, sums);
        }));
        results.Add(Compare("relu + backward", subject, reference, 0, 0, d =>
        {
            using var x = Upload(d, Seeded(7, n));
            using var dy = Upload(d, Seeded(8, n));
            d.Relu(x, x, n);
            d.ReluBackward(x, dy, dy, n);
            return [.. Download(d, x), .. Download(d, dy)];
        }));
        results.Add(Compare("softmax cross-entropy", subject, reference, 1e-5f, 1e-4f, d =>
        {
            using var logits = Upload(d, Seeded(9, n, 8f));
            using var labels = d.Allocate<int>(rows);
            d.CopyToDevice<int>(Enumerable.Range(0, rows).Select(r => r * 7 % cols).ToArray(), labels);
            using var losses = d.Allocate<float>(rows);
            using var gradient = d.Allocate<float>(n);
            d.SoftmaxCrossEntropy(logits, labels, losses, gradient, rows, cols);
            return [.. Download(d, losses), .. Download(d, gradient)];
        }));
        results.Add(Compare("arg-max rows", subject, reference, 0, 0, d =>
        {
            using var x = Upload(d, Seeded(10, n));
            using var predictions = d.Allocate<int>(rows);
            d.ArgMaxRows(x, predictions, rows, cols);
            var host = new int[rows];
            d.CopyToHost(predictions, host);
            return host.Select(p => (float)p).ToArray();
        }));
        results.Add(Compare("axpy + fill", subject, reference, 1e-6f, 1e-6f, d =>
        {
            using var x = Upload(d, Seeded(11, n));
            using var y = Upload(d, Seeded(12, n));
            d.Axpy(-0.5f, x, y, n);
            d.Fill(x, 3f, n / 2);
            return [.. Download(d, x), .. Download(d, y)];
        }));
        foreach (var bf16 in new[] { true, false })
            results.Add(Compare(bf16 ? "bf16 encode + decode" : "fp16 encode + decode", subject, reference, 0, 0, d =>
            {
                using var x = Upload(d, Seeded(13, n, 70_000f));
                using var bits = d.Allocate<ushort>(n);
                if (bf16) { d.ToBf16(x, bits, n); d.FromBf16(bits, x, n); }
                else { d.ToFp16(x, bits, n); d.FromFp16(bits, x, n); }
                return Download(d, x);
            }));
        results.Add(Compare("sgd", subject, reference, 1e-6f, 1e-6f, d =>
        {
            using var w = Upload(d, Seeded(14, n));
            using var g = Upload(d, Seeded(15, n));
            d.SgdUpdate(w, g, 0.1f, 1e-4f, n);
            return Download(d, w);
        }));
        foreach (var decoupled in new[] { false, true })
            results.Add(Compare(decoupled ? "adamw, 3 steps" : "adam, 3 steps", subject, reference, 1e-5f, 1e-4f, d =>
            {
                using var w = Upload(d, Seeded(16, n));
                using var g = Upload(d, Seeded(17, n));
                using var m = Upload(d, new float[n]);
                using var v = Upload(d, new float[n]);
                for (var step = 1; step <= 3; step++) d.AdamUpdate(w, g, m, v, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, decoupled, step, n);
                return [.. Download(d, w), .. Download(d, m), .. Download(d, v)];
            }));
        return results;
    }

    private static ParityResult Compare(string operation, IDevice subject, IDevice reference, float tol, float eps, Func<IDevice, float[]> run)
    {
        var expected = run(reference);
        var actual = run(subject);
        if (expected.Length != actual.Length) return new ParityResult(operation, expected.Length, double.NaN, false);
        var worst = 0.0;
        var failures = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            // Equal bits also accept equal infinities and NaNs, which the encodings must reproduce.
            var error = Math.Abs((double)expected[i] - actual[i]);
            if (!(error <= tol + Math.Abs(expected[i]) * eps) && BitConverter.SingleToUInt32Bits(expected[i]) != BitConverter.SingleToUInt32Bits(actual[i]))
                failures++;
            if (!double.IsNaN(error)) worst = Math.Max(worst, error);
        }
        return new ParityResult(operation, expected.Length, worst, failures == 0);
    }

    private static float[] Seeded(int seed, int n, float scale = 1f)
    {
        var random = new Random(seed);
        var values = new float[n];
        for (var i = 0; i < n; i++) values[i] = scale * (2f * random.NextSingle() - 1f);
        return values;
    }

    private static DeviceBuffer<float> Upload(IDevice device, float[] values)
    {
        var buffer = device.Allocate<float>(values.Length);
        device.CopyToDevice<float>(values, buffer);
        return buffer;
    }

    private static float[] Download(IDevice device, DeviceBuffer<float> buffer)
    {
        var values = new float[buffer.Length];
        device.CopyToHost(buffer, values);
        return values;
    }
}
