using ParameterServer.WorkerHost.Launch;
using ParameterServer.Workers.Progress;
using Spectre.Console;

namespace ParameterServer.WorkerHost.Output;

/// <summary>
/// A live progress bar per worker on a terminal: overall progress through its epochs (the step), with the current
/// epoch, loss, samples/s and stall beside it. Starts, epoch ends, finishes, errors, lost workers (in red) and log lines
/// scroll above the bars.
/// </summary>
internal sealed class TerminalDisplay(IAnsiConsole console) : ITrainingDisplay
{
    private ProgressBoard? _board;
    private ProgressTask[] _bars = [];

    public void Info(string message) => console.MarkupLineInterpolated($"[grey]{message}[/]");

    public Task RunAsync(ProgressBoard board, Func<Task> training)
    {
        _board = board;
        return console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 15 }, new PercentageColumn())
            .StartAsync(async context =>
            {
                _bars = [.. Enumerable.Range(0, board.Workers).Select(w => context.AddTask(Describe(w, "starting"), maxValue: 1).IsIndeterminate())];
                await training();
            });
    }

    public void Show(ProgressRecord record)
    {
        var epochs = _board!.Epochs;
        var bar = _bars[record.Worker];
        switch (record)
        {
            case WorkerStarted s:
                console.MarkupLineInterpolated($"worker {s.Worker}: started on {s.Device} with {s.Samples:N0} training samples");
                bar.Description = Describe(s.Worker, $"started on {s.Device}");
                break;
            case StepProgress s:
                bar.IsIndeterminate = false;
                bar.MaxValue = (double)epochs * s.StepsInEpoch;
                bar.Value = (double)(s.Epoch - 1) * s.StepsInEpoch + s.Step;
                bar.Description = Describe(s.Worker, ProgressText.Bar(s, epochs));
                break;
            case EpochEnd e:
                console.MarkupLineInterpolated($"worker {e.Worker}: {ProgressText.Epoch(e, epochs)}");
                break;
            case WorkerDone d:
                console.MarkupLineInterpolated($"worker {d.Worker}: {ProgressText.Done(d)}");
                bar.Value = bar.MaxValue;
                bar.Description = Describe(d.Worker, "done");
                bar.StopTask();
                break;
            case WorkerError e:
                console.MarkupLineInterpolated($"[red]worker {e.Worker}: {ProgressText.Error(e)}[/]");
                break;
        }
    }

    public void Log(string source, string line) => console.MarkupLineInterpolated($"[grey]{source}: {line}[/]");

    public void Lost(int worker, string message)
    {
        console.MarkupLineInterpolated($"[red]worker {worker}: {message}[/]");
        var bar = _bars[worker];
        bar.Description = Describe(worker, "lost");
        bar.StopTask();
    }

    private static string Describe(int worker, string text) => Markup.Escape($"worker {worker}  {text}");
}
