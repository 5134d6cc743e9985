using System.Text.Json;

namespace ParameterServer.Workers.Tests.Launcher;

public sealed class RunResultsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_results_file_holds_every_required_field_with_its_type()
    {
        var path = Path.Combine(_dir.Path, "nested", "results.json");
        ProgressBoardTests.TwoWorkersTwoEpochs().Results("bsp", "auto", seed: 1, wallSeconds: 30).Write(path);

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Number, root.GetProperty("test_accuracy").ValueKind);
        Assert.Equal(10000, root.GetProperty("test_samples").GetInt32());
        Assert.Equal(2, root.GetProperty("epochs").GetInt32());
        Assert.Equal(2, root.GetProperty("workers").GetInt32());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("samples_per_second").ValueKind);
        Assert.Equal(30, root.GetProperty("wall_seconds").GetDouble());
        Assert.Equal("bsp", root.GetProperty("consistency").GetString());
        Assert.Equal("cpu", root.GetProperty("device").GetString());
        var stall = root.GetProperty("stall_fraction");
        Assert.Equal(2, stall.GetArrayLength());
        Assert.All(stall.EnumerateArray(), s => Assert.Equal(JsonValueKind.Number, s.ValueKind));
        var curves = root.GetProperty("curves");
        Assert.Equal(2, curves.GetArrayLength());
        foreach (var point in curves.EnumerateArray())
        {
            Assert.Equal(JsonValueKind.Number, point.GetProperty("epoch").ValueKind);
            Assert.Equal(JsonValueKind.Number, point.GetProperty("train_loss").ValueKind);
            Assert.Equal(JsonValueKind.Number, point.GetProperty("test_accuracy").ValueKind);
        }
        Assert.Equal(2, root.GetProperty("per_worker").GetArrayLength());
    }
}
