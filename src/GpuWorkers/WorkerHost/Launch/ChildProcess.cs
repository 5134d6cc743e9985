using System.Diagnostics;

namespace ParameterServer.WorkerHost.Launch;

/// <summary>
/// A process a <see cref="ProcessGroup"/> started: its name and PID, its last output lines (for failure reports)
/// and, when the group has a log directory, a log file of all its output.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private const int KeptLines = 20;

    private readonly Queue<string> _lastLines = new();
    private readonly StreamWriter? _log;
    private readonly Lock _lock = new();

    public ChildProcess(string name, Process process, bool runsToCompletion, string? logPath)
    {
        Name = name;
        Process = process;
        Pid = process.Id;
        RunsToCompletion = runsToCompletion;
        LogPath = logPath;
        _log = logPath is null ? null : new StreamWriter(logPath) { AutoFlush = true };
    }

    public string Name { get; }

    public int Pid { get; }

    /// <summary>A worker: it is expected to exit, with code 0. Otherwise a service (the silo) that must outlive the run.</summary>
    public bool RunsToCompletion { get; }

    public string? LogPath { get; }

    public Process Process { get; }

    /// <summary>The exit code once the process has exited and its output has been read to the end.</summary>
    public int? ExitCode { get; internal set; }

    public IReadOnlyList<string> LastLines()
    {
        lock (_lock)
            return [.. _lastLines];
    }

    internal void Record(string line)
    {
        lock (_lock)
        {
            if (_lastLines.Count == KeptLines)
                _lastLines.Dequeue();
            _lastLines.Enqueue(line);
            _log?.WriteLine(line);
        }
    }

    /// <summary>Kills the process and its descendants by PID (SIGKILL) and waits, bounded, until it is gone.</summary>
    public void Kill()
    {
        try
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // It had already exited: nothing left to stop.
        }
    }

    public void Dispose()
    {
        lock (_lock)
            _log?.Dispose();
        Process.Dispose();
    }

    public override string ToString() => $"{Name} (pid {Pid})";
}
