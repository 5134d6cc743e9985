using System.Buffers.Binary;
using ParameterServer.WorkerHost.Output;

namespace ParameterServer.Workers.Tests.Launcher;

public sealed class CurvePlotTests : IDisposable
{
    private static readonly byte[] _pngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Writes_a_png_of_the_curves()
    {
        var path = Path.Combine(_dir.Path, "run", "curves.png");
        EpochPoint[] curve = [new(1, 0.55, 0.82, 0.50, 10000, 4.1), new(2, 0.40, null, null, 0, 7.9), new(3, 0.35, 0.87, 0.36, 10000, 12.2)];

        CurvePlot.Write(path, curve, "test run");

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(_pngSignature, bytes[..8]);
        // The first chunk is IHDR: length, "IHDR", then width and height as big-endian uint32.
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal((900u, 540u), (BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(20))));
        Assert.True(bytes.Length > 10_000, $"a plot of {bytes.Length} bytes is too small to hold two curves, axes and labels");
    }

    [Fact]
    public void A_run_without_epochs_has_no_plot()
    {
        Assert.Throws<ArgumentException>(() => CurvePlot.Write(Path.Combine(_dir.Path, "c.png"), [], "empty"));
    }
}
