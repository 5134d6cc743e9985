using ParameterServer.Benchmarks.Report;

namespace ParameterServer.Benchmarks.Tests.Report;

public class FigureTests
{
    [Theory]
    [InlineData(0.9, 1.0, true)]   // 0.9 / 1.0 = 0.9 >= 0.8
    [InlineData(4.0, 5.0, true)]   // 0.8 is on the bound
    [InlineData(3.9, 5.0, false)]  // 0.78 < 0.8
    public void A_ratio_goal_judges_ours_over_the_reference(double ours, double reference, bool passed)
    {
        var figure = new Figure("t", "s", "push", "GB/s", ours, reference, "raw", Goal.RatioAtLeast(0.8));

        Assert.Equal(ours / reference, figure.Ratio);
        Assert.Equal(passed, figure.Passed);
    }

    [Theory]
    [InlineData(0.05, true)]
    [InlineData(0.1, true)]
    [InlineData(0.2, false)]
    public void A_value_goal_judges_the_value_itself(double stall, bool passed)
    {
        var figure = new Figure("t", "s", "stall", "fraction", stall, Goal: Goal.ValueAtMost(0.1));

        Assert.Null(figure.Ratio);
        Assert.Equal(passed, figure.Passed);
    }

    [Fact]
    public void A_figure_without_a_goal_neither_passes_nor_fails()
    {
        var figure = new Figure("t", "s", "p50", "µs", 120, 40, "raw");

        Assert.Equal(3, figure.Ratio);
        Assert.Null(figure.Passed);
        Assert.Equal("-", FigureTable.Result(figure));
    }

    [Fact]
    public void A_figure_not_measured_has_no_value_and_says_why()
    {
        var figure = Figure.NotMeasured("t", "s", "transfer", "the transfer benchmark is not on main");

        Assert.False(figure.Measured);
        Assert.Null(figure.Passed);
        Assert.Equal("not measured: the transfer benchmark is not on main", figure.Note);
    }

    [Fact]
    public void The_summary_counts_passes_failures_figures_without_a_goal_and_figures_not_measured()
    {
        Figure[] figures =
        [
            new("a", "s", "a", "x", 1, 1, "r", Goal.RatioAtLeast(0.5)),
            new("b", "s", "b", "x", 1, 4, "r", Goal.RatioAtLeast(0.5)),
            new("c", "s", "c", "x", 1),
            Figure.NotMeasured("d", "s", "d", "why"),
        ];

        Assert.Equal("4 figures: 1 pass, 1 FAIL, 1 without a goal, 1 not measured", FigureTable.Summary(figures));
    }

    [Fact]
    public void The_table_groups_rows_under_their_sections_and_shows_the_reason_a_figure_is_missing()
    {
        Figure[] figures =
        [
            new("a", "1 transfer", "push", "GB/s", 2, 2.5, "raw", Goal.RatioAtLeast(0.8)),
            Figure.NotMeasured("b", "5 scaling here", "workers", "psworker is not built"),
        ];

        var lines = FigureTable.Render(figures).Split('\n');

        Assert.Equal("== 1 transfer", lines[1]);
        Assert.Contains("0.80", lines[2]);
        Assert.Contains("pass", lines[2]);
        Assert.Equal("== 5 scaling here", lines[3]);
        Assert.EndsWith("not measured: psworker is not built", lines[4]);
    }

    [Fact]
    public void Sections_print_in_the_issue_order_whatever_order_they_were_measured_in()
    {
        Figure[] figures =
        [
            new("g", Sections.Gemm, "gemm", "GFLOP/s", 1),
            new("l", Sections.Latency, "p50", "µs", 1),
            new("o", "other", "other", "x", 1),
            new("t", Sections.Transfer, "push", "GB/s", 1),
        ];

        var headers = FigureTable.Render(figures).Split('\n').Where(l => l.StartsWith("== ", StringComparison.Ordinal));

        Assert.Equal(["== 1 transfer", "== 4 latency", "== CPU GEMM", "== other"], headers);
    }

    [Fact]
    public void The_same_figure_cannot_be_added_twice()
    {
        var sink = new FigureSink();
        sink.Add(new Figure("a", "s", "a", "x", 1));

        Assert.Throws<InvalidOperationException>(() => sink.Add(new Figure("a", "s", "a", "x", 2)));
    }
}
