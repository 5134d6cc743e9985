using ParameterServer.WorkerHost.Launch;
using ParameterServer.Workers.Progress;

namespace ParameterServer.WorkerHost.Output;

/// <summary>Shows a run as it goes: a live view on a terminal (<see cref="TerminalDisplay"/>), plain lines otherwise (<see cref="PlainDisplay"/>).</summary>
internal interface ITrainingDisplay
{
    /// <summary>A message about the run itself (processes started, silo ready).</summary>
    void Info(string message);

    /// <summary>Runs <paramref name="training"/> with the display up, and takes it down afterwards.</summary>
    Task RunAsync(ProgressBoard board, Func<Task> training);

    /// <summary>A record the board has just applied.</summary>
    void Show(ProgressRecord record);

    /// <summary>A line of a worker's output that is not a progress record.</summary>
    void Log(string source, string line);

    /// <summary>A worker whose process ended before it was done, and what happens now.</summary>
    void Lost(int worker, string message);
}
