using ParameterServer.Kernels.Devices.Cpu;
using ParameterServer.Kernels.Init;
using ParameterServer.Workers.Models;

namespace ParameterServer.Workers.Tests.Models;

public class MlpGradientCheckTests
{
    // Central differences (L(w + eps) - L(w - eps)) / 2 eps of the mean loss, computed by the model's own float
    // forward pass. Their error against the true derivative:
    // - truncation eps^2 / 6 * |L'''|: with |x|, |w| <= 1 and hidden activations below about 3, |L'''| stays under
    //   about 3, so under 5e-5 at eps = 1e-2;
    // - rounding: the float loss (about 1) carries a few ulps, 2e-7, divided by 2 eps: 1e-5.
    // So |fd - g| <= 1e-4 + 1e-2 |fd| holds with room to spare, while a wrong term in a gradient is off by far more.
    // A difference is only a derivative if no ReLU changes side between w - eps and w + eps: one parameter moved by eps
    // moves any hidden pre-activation by at most about 3 eps, so the test first requires all of them to be at least
    // 5 eps = 0.05 away from zero (the fixed seed is chosen so; a new seed that breaks this fails that assertion).
    private const float Eps = 1e-2f;
    private const double Margin = 5 * Eps;
    private const ulong Seed = 52; // 9 of 20 first-layer and 10 of 16 second-layer units active: both ReLU sides covered

    [Fact]
    public void Every_weight_and_bias_gradient_matches_central_differences()
    {
        int[] widths = [6, 5, 4, 3];
        const int batch = 4;
        using var cpu = new CpuDevice(threads: 1);
        using var mlp = new Mlp(cpu, widths, maxBatch: batch);
        var values = ModelSetup.Fill(mlp, Seed, _ => 1f);
        var x = new float[batch * widths[0]];
        Initializers.Uniform(x, 0, Seed + 100, -1f, 1f);
        int[] labels = [0, 2, 1, 2];
        using var input = ModelSetup.Upload(cpu, x);
        using var labelBuffer = ModelSetup.Upload(cpu, labels);

        var reference = ScalarMlp.Run(widths, values, x, labels);
        var closest = reference.HiddenPreActivations.SelectMany(z => z).Min(Math.Abs);
        Assert.True(closest >= Margin, $"a hidden pre-activation is {closest} from its ReLU's kink, closer than {Margin}: choose another seed");

        mlp.ComputeGradients(input, labelBuffer, batch);
        Assert.Equal(reference.MeanLoss, mlp.Loss.MeanLoss(), 1e-5);

        for (var t = 0; t < mlp.Parameters.Count; t++)
        {
            var table = mlp.Parameters[t];
            var gradient = ModelSetup.Download(cpu, table.Gradient, table.Length);
            var w = values[t];
            double largest = 0;
            for (var i = 0; i < w.Length; i++)
            {
                var original = w[i];
                w[i] = original + Eps;
                var plus = Loss(mlp, table, w, input, labelBuffer, batch);
                w[i] = original - Eps;
                var minus = Loss(mlp, table, w, input, labelBuffer, batch);
                w[i] = original;
                cpu.CopyToDevice<float>(w, table.Value);
                // The float sum original + eps is not exactly original + eps: divide by the step actually taken.
                var fd = (plus - minus) / ((double)(original + Eps) - (original - Eps));
                largest = Math.Max(largest, Math.Abs(fd));
                Assert.True(Math.Abs(fd - gradient[i]) <= 1e-4 + 1e-2 * Math.Abs(fd),
                    $"{table.Name}[{i / table.Cols}, {i % table.Cols}]: backward {gradient[i]}, central difference {fd}");
            }
            // Guard the test itself: a table whose true gradient vanished would check nothing.
            Assert.True(largest > 1e-2, $"{table.Name}: all central differences are below 1e-2");
        }
    }

    private static double Loss(Mlp mlp, ParameterTable table, float[] values, Kernels.Devices.DeviceBuffer<float> input,
        Kernels.Devices.DeviceBuffer<int> labels, int batch)
    {
        mlp.Device.CopyToDevice<float>(values, table.Value);
        mlp.Loss.Forward(mlp.Forward(input, batch), labels, batch);
        return mlp.Loss.MeanLoss();
    }
}
