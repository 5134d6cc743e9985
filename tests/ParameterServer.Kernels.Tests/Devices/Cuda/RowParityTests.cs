
namespace ParameterServer.Kernels.Tests.Devices.Cuda;

[Collection(IlgpuCollection.Name)]
public sealed class RowParityTests(ParityDevices devices)
{
    private const int Rows = 6;
    private const int Cols = 10;

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void AddBias_adds_the_column_bias_to_every_row(string target)
    {
        var device = devices.Get(target);
        var y = DeviceData.Uniform(20, Rows * Cols);
        var bias = DeviceData.Uniform(21, Cols);
        using var dy = device.Upload(y);
        using var db = device.Upload(bias);

        device.AddBias(dy, db, Rows, Cols);

        DeviceData.Close(ScalarReference.AddBias(y, bias, Rows, Cols), device.Download(dy), 0, 0);
    }

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void ColumnSums_sum_each_column_over_the_rows(string target)
    {
        var device = devices.Get(target);
        var x = DeviceData.Uniform(22, Rows * Cols);
        using var dx = device.Upload(x);
        using var sums = device.Allocate<float>(Cols);

        device.ColumnSums(dx, sums, Rows, Cols);

        DeviceData.Close(ScalarReference.ColumnSums(x, Rows, Cols), device.Download(sums), 1e-6f, 1e-6f);
    }

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void SoftmaxCrossEntropy_matches_the_definition_and_is_stable_for_large_logits(string target)
    {
        var device = devices.Get(target);
        // Row 0 is shifted by 1000: exp would overflow without subtracting the row's maximum.
        var logits = DeviceData.Uniform(23, Rows * Cols, -4f, 4f);
        var shifted = (float[])logits.Clone();
        for (var c = 0; c < Cols; c++) shifted[c] += 1000f;
        int[] labels = [3, 0, 9, 5, 5, 1];
        using var dl = device.Upload(shifted);
        using var dy = device.Upload(labels);
        using var losses = device.Allocate<float>(Rows);
        using var gradient = device.Allocate<float>(Rows * Cols);

        device.SoftmaxCrossEntropy(dl, dy, losses, gradient, Rows, Cols);

        // Softmax is shift-invariant, so the unshifted logits give the same reference without overflow.
        var (expectedLosses, expectedGradient) = ScalarReference.SoftmaxCrossEntropy(logits, labels, Rows, Cols);
        DeviceData.Close(expectedLosses, device.Download(losses), 1e-4f, 1e-5f);
        DeviceData.Close(expectedGradient, device.Download(gradient), 1e-6f, 1e-4f);
    }

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void SoftmaxCrossEntropy_of_equal_logits_is_log_of_the_class_count(string target)
    {
        var device = devices.Get(target);
        // Uniform softmax: loss = ln 4 = 1.3862944; gradient = (1/4 - onehot) / 2 rows = 0.125 or -0.375.
        using var logits = device.Upload(new float[8]);
        using var labels = device.Upload(new[] { 2, 0 });
        using var losses = device.Allocate<float>(2);
        using var gradient = device.Allocate<float>(8);

        device.SoftmaxCrossEntropy(logits, labels, losses, gradient, 2, 4);

        DeviceData.Close([1.3862944f, 1.3862944f], device.Download(losses), 1e-6f, 0);
        DeviceData.Close([0.125f, 0.125f, -0.375f, 0.125f, -0.375f, 0.125f, 0.125f, 0.125f], device.Download(gradient), 1e-7f, 0);
    }

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void ArgMaxRows_picks_the_largest_and_the_first_on_ties(string target)
    {
        var device = devices.Get(target);
        var x = DeviceData.Uniform(24, Rows * Cols);
        x[2 * Cols + 4] = 5f;
        x[2 * Cols + 7] = 5f;
        using var dx = device.Upload(x);
        using var predictions = device.Allocate<int>(Rows);

        device.ArgMaxRows(dx, predictions, Rows, Cols);

        var expected = ScalarReference.ArgMaxRows(x, Rows, Cols);
        Assert.Equal(4, expected[2]);
        Assert.Equal(expected, device.Download(predictions));
    }
}
