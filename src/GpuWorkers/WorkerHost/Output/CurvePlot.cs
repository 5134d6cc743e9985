using ScottPlot;

namespace ParameterServer.WorkerHost.Output;

/// <summary>The learning curves of a run as a PNG: training loss on the left axis, test accuracy on the right, per epoch.</summary>
internal static class CurvePlot
{
    public static void Write(string path, IReadOnlyList<EpochPoint> curve, string title)
    {
        if (curve.Count == 0)
            throw new ArgumentException("a plot needs at least one epoch", nameof(curve));

        var plot = new Plot();
        var loss = plot.Add.Scatter(curve.Select(p => (double)p.Epoch).ToArray(), curve.Select(p => p.TrainLoss).ToArray());
        loss.LegendText = "train loss";
        loss.MarkerSize = 6;

        var evaluated = curve.Where(p => p.TestAccuracy is not null).ToArray();
        if (evaluated.Length > 0)
        {
            var accuracy = plot.Add.Scatter(evaluated.Select(p => (double)p.Epoch).ToArray(), evaluated.Select(p => p.TestAccuracy!.Value).ToArray());
            accuracy.LegendText = "test accuracy";
            accuracy.MarkerSize = 6;
            accuracy.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "test accuracy";
        }

        plot.Title(title);
        plot.Axes.Bottom.Label.Text = "epoch";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.Left.Label.Text = "train loss";
        plot.ShowLegend(Alignment.MiddleRight);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        plot.SavePng(path, 900, 540);
    }
}
