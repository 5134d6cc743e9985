using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ParameterServer.Benchmarks.Processes;

/// <summary>
/// A process a benchmark started and must stop (a <c>paramserver silo</c>, the transfer's raw peer, a
/// <c>psworker launch</c>), with its output lines kept. Stopped by its PID: disposing kills it (with its children) if it
/// still runs, and so does an interrupt or termination of the benchmark itself (SIGINT, SIGTERM, SIGHUP), so that
/// nothing outlives a failed or cancelled run.
/// Its standard input stays open while this process lives: a child may take its closing as the sign to end.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int TailLines = 40;
    private static readonly ConcurrentDictionary<int, Process> _running = new();
    private static readonly Lazy<PosixSignalRegistration[]> _signals = new(() =>
        [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }.Select(s => PosixSignalRegistration.Create(s, _ => KillAll()))]);

    private readonly Process _process;
    private readonly List<string> _lines = [];

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts <paramref name="program"/> (a .dll runs under the dotnet host) in <paramref name="workingDirectory"/>
    /// (default: this one).
    /// </summary>
    public static ChildProcess Start(string name, string program, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        _ = _signals.Value;
        var dll = program.EndsWith(".dll", StringComparison.Ordinal);
        var start = new ProcessStartInfo(dll ? "dotnet" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        if (dll) start.ArgumentList.Add(program);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        var process = new Process { StartInfo = start };
        var child = new ChildProcess(name, process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        if (!process.Start())
            throw new InvalidOperationException($"{program} could not be started");
        _running[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for a line containing <paramref name="marker"/> and returns it; fails if the process exits first or the time runs out.</summary>
    public async Task<string> WaitForLineAsync(string marker, TimeSpan timeout, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            lock (_lines)
            {
                if (_lines.Find(l => l.Contains(marker, StringComparison.Ordinal)) is { } line) return line.Trim();
            }
            if (_process.HasExited)
                throw new InvalidOperationException($"{Name} (PID {Pid}) exited with code {_process.ExitCode}:\n{Tail()}");
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"{Name} (PID {Pid}) printed no '{marker}' within {timeout.TotalSeconds:0} s:\n{Tail()}");
            await Task.Delay(50, ct);
        }
    }

    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    /// <summary>The last lines it wrote, for error messages.</summary>
    public string Tail()
    {
        lock (_lines)
        {
            return string.Join('\n', _lines.TakeLast(TailLines));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
        _running.TryRemove(_process.Id, out _);
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_lines) _lines.Add(line);
    }

    private static void KillAll()
    {
        foreach (var process in _running.Values)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It had already exited.
            }
        }
    }
}
