using System.Diagnostics;
using ParameterServer.Benchmarks.Report;
using ParameterServer.Kernels.Devices;
using ParameterServer.Kernels.Devices.Cuda;

namespace ParameterServer.Benchmarks.GpuCheck;

/// <summary>
/// `gpu-check [--device cuda:N|ilgpu-cpu] [--reference cpu|ilgpu-cpu] [--small]`: the one prepared check for a lent
/// GPU machine. Parity of every device operation against the CPU reference at a layer's size, GEMM GFLOP/s (cuBLAS
/// and the tiled kernel), and steps/s of the MLP 784-256-128-10 at batch 128 against the reference device, printed
/// as a table last; the steps/s are also a figure. Without a CUDA device it says why (also as a figure not measured)
/// and exits 2; a parity failure exits 1.
/// </summary>
internal static class GpuCheckCommand
{
    private static readonly int[] _mlp = [784, 256, 128, 10];
    private const int Batch = 128;

    public static int Run(string[] args, FigureSink figures)
    {
        var deviceName = Options.Text(args, "--device", "cuda:0");
        var referenceName = Options.Text(args, "--reference", "cpu");
        var small = args.Contains("--small");

        using var subject = OpenSubject(deviceName, useCublas: true, out var whyNot);
        if (subject is null)
        {
            Console.Error.WriteLine($"gpu-check: no CUDA device: {whyNot}");
            figures.NotMeasured("gpu.mlp.steps", Sections.Gpu, $"MLP steps on {deviceName}", $"no CUDA device: {whyNot}");
            return 2;
        }
        Console.WriteLine($"device {subject.Name}: {subject.AcceleratorName}, GEMM by {subject.GemmBackend}");
        var lines = new List<string>();
        var failed = false;

        using var reference = OpenReference(referenceName, out var referenceWhyNot);
        if (reference is null) lines.Add($"parity: skipped, reference '{referenceName}' unavailable: {referenceWhyNot}");
        else
        {
            var (rows, cols, inner) = small ? (7, 10, 9) : (Batch, _mlp[1], _mlp[0]);
            lines.Add($"{"operation (vs " + referenceName + ")",-36} {"elements",10} {"max |err|",11}  result");
            foreach (var r in KernelParity.Run(subject, reference, rows, cols, inner))
            {
                lines.Add($"{r.Operation,-36} {r.Elements,10} {r.MaxAbsoluteError,11:E2}  {(r.Passed ? "ok" : "FAILED")}");
                failed |= !r.Passed;
            }
        }

        lines.Add("");
        var shapes = small ? new[] { (16, 16, 16) } : [(Batch, _mlp[1], _mlp[0]), (2048, 2048, 2048)];
        using var tiled = subject.UsesCublas ? OpenSubject(deviceName, useCublas: false, out _) : null;
        foreach (var (m, n, k) in shapes)
        {
            var flops = 2.0 * m * n * k;
            var line = $"gemm {m}x{n}x{k}: {subject.GemmBackend} {flops / GemmSeconds(subject, m, n, k) / 1e9:G4} GFLOP/s";
            if (tiled is not null) line += $", {tiled.GemmBackend} {flops / GemmSeconds(tiled, m, n, k) / 1e9:G4} GFLOP/s";
            lines.Add(line);
        }

        var widths = small ? new[] { 12, 8, 6, 4 } : _mlp;
        var batch = small ? 5 : Batch;
        using var step = new MlpStep(subject, widths, batch, seed: 7);
        var stepsPerSecond = 1 / Seconds(subject, () => step.Step(0.01f));
        var mlp = $"mlp {string.Join('-', widths)} batch {batch}: {deviceName} {stepsPerSecond:F0} steps/s";
        if (reference is not null)
        {
            using var referenceStep = new MlpStep(reference, widths, batch, seed: 7);
            var referenceStepsPerSecond = 1 / Seconds(reference, () => referenceStep.Step(0.01f));
            mlp += $", {referenceName} {referenceStepsPerSecond:F0} steps/s, ratio {stepsPerSecond / referenceStepsPerSecond:F1}";
            lines.Add(mlp);
            figures.Add(new Figure("gpu.mlp.steps", Sections.Gpu, $"MLP {string.Join('-', widths)} batch {batch} steps on {subject.Name}", "steps/s",
                stepsPerSecond, referenceStepsPerSecond, referenceName));
            lines.Add(StepParity(subject, reference, widths, batch, ref failed));
        }
        else lines.Add(mlp);

        Console.WriteLine();
        foreach (var line in lines) Console.WriteLine(line);
        return failed ? 1 : 0;
    }

    /// <summary>Five steps from the same seed on both devices: the losses must agree (a whole step's parity).</summary>
    private static string StepParity(IDevice subject, IDevice reference, int[] widths, int batch, ref bool failed)
    {
        using var a = new MlpStep(subject, widths, batch, seed: 11);
        using var b = new MlpStep(reference, widths, batch, seed: 11);
        for (var i = 0; i < 5; i++)
        {
            a.Step(0.05f);
            b.Step(0.05f);
        }
        var (la, lb) = (a.MeanLoss(), b.MeanLoss());
        var ok = Math.Abs(la - lb) <= 1e-3f + 1e-3f * Math.Abs(lb);
        failed |= !ok;
        return $"mlp loss after 5 steps: {la:F6} vs {lb:F6}  {(ok ? "ok" : "FAILED")}";
    }

    private static double GemmSeconds(IDevice device, int m, int n, int k)
    {
        using var a = device.Allocate<float>((long)m * k);
        using var b = device.Allocate<float>((long)k * n);
        using var c = device.Allocate<float>((long)m * n);
        device.Fill(a, 0.5f, (long)m * k);
        device.Fill(b, 0.25f, (long)k * n);
        return Seconds(device, () => device.Gemm(false, false, m, n, k, 1f, a, b, 0f, c));
    }

    /// <summary>Seconds per call: three warm-up calls, then calls until half a second has passed, synchronized.</summary>
    private static double Seconds(IDevice device, Action work)
    {
        for (var i = 0; i < 3; i++) work();
        device.Synchronize();
        var clock = Stopwatch.StartNew();
        var calls = 0;
        do
        {
            work();
            calls++;
            if (calls % 8 == 0) device.Synchronize();
        }
        while (calls % 8 != 0 || clock.Elapsed.TotalSeconds < 0.5);
        device.Synchronize();
        return clock.Elapsed.TotalSeconds / calls;
    }

    private static IlgpuDevice? OpenSubject(string name, bool useCublas, out string whyNot)
    {
        whyNot = "";
        if (name == "ilgpu-cpu") return IlgpuDevice.OpenCpuAccelerator();
        var parsed = DeviceName.Parse(name);
        if (parsed.Kind != DeviceKind.Cuda) throw new ArgumentException($"--device {name}: expected cuda:N or ilgpu-cpu");
        return IlgpuDevice.TryOpenCuda(parsed.Index, out var device, out whyNot, useCublas) ? device : null;
    }

    private static IDevice? OpenReference(string name, out string whyNot)
    {
        whyNot = "";
        if (name == "ilgpu-cpu") return IlgpuDevice.OpenCpuAccelerator();
        try
        {
            return Device.Open(name);
        }
        catch (Exception e) when (e is NotImplementedException or InvalidOperationException or FormatException)
        {
            whyNot = e.Message;
            return null;
        }
    }
}
