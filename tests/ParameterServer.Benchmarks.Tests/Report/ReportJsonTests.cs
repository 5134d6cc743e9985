using System.Text.Json;
using ParameterServer.Benchmarks.Report;

namespace ParameterServer.Benchmarks.Tests.Report;

public class ReportJsonTests
{
    [Fact]
    public void The_json_holds_every_figure_with_its_ratio_and_result_and_the_machine_it_came_from()
    {
        Figure[] figures =
        [
            new("transfer.dataplane.push.x4", Sections.Transfer, "push", "GB/s", 2, 2.5, "raw socket", Goal.RatioAtLeast(0.8)),
            new("overhead.stall", Sections.Overhead, "stall", "fraction", 0.3, Goal: Goal.ValueAtMost(0.1)),
            Figure.NotMeasured("gpu.mlp.steps", Sections.Gpu, "MLP steps on cuda:0", "no CUDA device"),
        ];
        var machine = new MachineInfo(2, "AMD EPYC", 24, "Debian", ".NET 10");
        var report = new ReportJson(["report", "--quick"], true, machine, [1.5, 1, 0.5], [2, 1, 0.5],
            new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), 100, FigureTable.Summary(figures), figures);

        using var json = JsonDocument.Parse(report.Serialize());
        var root = json.RootElement;

        Assert.Equal(2, root.GetProperty("machine").GetProperty("cores").GetInt32());
        Assert.Equal(1.5, root.GetProperty("load_average_before")[0].GetDouble());
        Assert.Equal("3 figures: 1 pass, 1 FAIL, 0 without a goal, 1 not measured", root.GetProperty("summary").GetString());
        var written = root.GetProperty("figures").EnumerateArray().ToDictionary(f => f.GetProperty("id").GetString()!);
        Assert.Equal(["transfer.dataplane.push.x4", "overhead.stall", "gpu.mlp.steps"], written.Keys);
        // 2 / 2.5 = 0.8: on the bound of ratio >= 0.8.
        Assert.Equal(0.8, written["transfer.dataplane.push.x4"].GetProperty("ratio").GetDouble(), 12);
        Assert.True(written["transfer.dataplane.push.x4"].GetProperty("passed").GetBoolean());
        // 0.3 > 0.1: a value goal fails, and there is no ratio without a reference.
        Assert.False(written["overhead.stall"].GetProperty("passed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, written["overhead.stall"].GetProperty("ratio").ValueKind);
        // Not measured: no value, no result, the reason in the note.
        Assert.Equal(JsonValueKind.Null, written["gpu.mlp.steps"].GetProperty("ours").ValueKind);
        Assert.Equal(JsonValueKind.Null, written["gpu.mlp.steps"].GetProperty("passed").ValueKind);
        Assert.Equal("not measured: no CUDA device", written["gpu.mlp.steps"].GetProperty("note").GetString());
    }
}
