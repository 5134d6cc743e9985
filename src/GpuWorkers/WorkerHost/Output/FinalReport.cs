using Spectre.Console;

namespace ParameterServer.WorkerHost.Output;

/// <summary>The table printed when a run has finished: one row per worker (done, or lost and how), then the run's totals and its files.</summary>
internal static class FinalReport
{
    public static void Write(IAnsiConsole console, RunResults results, string jsonPath, string? plotPath)
    {
        var table = new Table().Title("workers")
            .AddColumns("worker", "device", "samples", "samples/s", "stall", "ended");
        foreach (var w in results.PerWorker)
        {
            var ended = w.Lost is { } lost ? $"[red]lost at {lost.Seconds:F1} s: {Markup.Escape(lost.Reason)}[/]" : "done";
            table.AddRow(w.Worker.ToString(), w.Device, w.Samples.ToString("N0"), w.SamplesPerSecond.ToString("N0"), w.StallFraction.ToString("P1"), ended);
        }
        console.Write(table);

        var accuracy = results.TestAccuracy is { } a ? $"{a:F4} on {results.TestSamples:N0} test images" : "not evaluated";
        var summary = new Grid().AddColumns(2)
            .AddRow("test accuracy", accuracy)
            .AddRow("final train loss", results.Curves.Length > 0 ? results.Curves[^1].TrainLoss.ToString("F4") : "-")
            .AddRow("epochs", results.Epochs.ToString())
            .AddRow("workers", results.Workers.ToString())
            .AddRow("consistency", results.Consistency)
            .AddRow("device", results.Device)
            .AddRow("samples/s (all workers)", results.SamplesPerSecond.ToString("N0"))
            .AddRow("wall time", $"{results.WallSeconds:F1} s")
            .AddRow("results", Markup.Escape(jsonPath))
            .AddRow("plot", Markup.Escape(plotPath ?? "-"));
        console.Write(summary);
    }
}
