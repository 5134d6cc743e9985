using System.Text.Json;
using ParameterServer.WorkerHost.Launch;
using ParameterServer.Workers.Progress;

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
        Assert.Equal(JsonValueKind.Null, root.GetProperty("per_worker")[0].GetProperty("lost").ValueKind);
    }

    [Fact]
    public void A_lost_worker_is_recorded_with_its_exit_and_how_far_it_got()
    {
        var path = Path.Combine(_dir.Path, "results.json");
        var board = new ProgressBoard(workers: 2, epochs: 1);
        board.Apply(new StepProgress(0, 1, 3, 5, 0.7, 90, 0.1, 384));
        board.Lose(0, pid: 4321, exitCode: 137, "killed by signal 9 (SIGKILL), exit code 137");
        board.Apply(new EpochEnd(1, 1, 0.5, 0.8, 0.6, 10000));
        board.Apply(new WorkerDone(1, 1000, 10, 0.2));
        board.Results("bsp", "cpu", seed: 1, wallSeconds: 12).Write(path);

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var worker0 = json.RootElement.GetProperty("per_worker")[0];
        Assert.Equal(384, worker0.GetProperty("samples").GetInt64());
        var lost = worker0.GetProperty("lost");
        Assert.Equal((4321, 137, "killed by signal 9 (SIGKILL), exit code 137", 1, 3, 0),
            (lost.GetProperty("pid").GetInt32(), lost.GetProperty("exit_code").GetInt32(), lost.GetProperty("reason").GetString(),
                lost.GetProperty("epoch").GetInt32(), lost.GetProperty("step").GetInt32(), lost.GetProperty("epochs_done").GetInt32()));
        Assert.Equal(JsonValueKind.String, lost.GetProperty("at").ValueKind);
        Assert.Equal(JsonValueKind.Number, lost.GetProperty("seconds").ValueKind);
    }
}
