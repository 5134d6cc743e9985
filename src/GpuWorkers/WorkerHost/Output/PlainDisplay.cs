using System.Diagnostics;
using ParameterServer.WorkerHost.Launch;
using ParameterServer.Workers.Progress;

namespace ParameterServer.WorkerHost.Output;

/// <summary>
/// Plain lines for logs and pipes (CI): no redraw; every epoch end, start, finish, error and lost worker, and a worker's
/// step at most once per <c>stepInterval</c>.
/// </summary>
internal sealed class PlainDisplay(TextWriter output, TimeSpan stepInterval) : ITrainingDisplay
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private ProgressBoard? _board;
    private TimeSpan[] _lastStepShown = [];

    public void Info(string message) => output.WriteLine(message);

    public async Task RunAsync(ProgressBoard board, Func<Task> training)
    {
        _board = board;
        _lastStepShown = Enumerable.Repeat(-stepInterval, board.Workers).ToArray();
        await training();
    }

    public void Show(ProgressRecord record)
    {
        var epochs = _board!.Epochs;
        switch (record)
        {
            case WorkerStarted s:
                Line(s.Worker, $"started on {s.Device} with {s.Samples:N0} training samples");
                break;
            case StepProgress s when _clock.Elapsed - _lastStepShown[s.Worker] >= stepInterval:
                _lastStepShown[s.Worker] = _clock.Elapsed;
                Line(s.Worker, ProgressText.Step(s, epochs));
                break;
            case EpochEnd e:
                Line(e.Worker, ProgressText.Epoch(e, epochs));
                break;
            case WorkerDone d:
                Line(d.Worker, ProgressText.Done(d));
                break;
            case WorkerError e:
                Line(e.Worker, ProgressText.Error(e));
                break;
        }
    }

    public void Log(string source, string line) => output.WriteLine($"[{source}] {line}");

    public void Lost(int worker, string message) => Line(worker, message);

    private void Line(int worker, string text) => output.WriteLine($"worker {worker}: {text}");
}
