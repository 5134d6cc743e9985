using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ParameterServer.Benchmarks.Processes;

/// <summary>
/// A process a benchmark started and must stop: disposing it kills it by its PID (with its children) when it is still
/// running, and so does an interrupt or termination of the benchmark (SIGINT, SIGTERM, SIGHUP), so that no silo or
/// worker outlives a cancelled run. Its standard output and error lines go to <see cref="Lines"/> and a log file.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> _running = new();
    private static readonly Lazy<PosixSignalRegistration[]> _signals = new(() =>
        [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }.Select(s => PosixSignalRegistration.Create(s, _ => KillAll()))]);

    private const int TailLines = 40;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Queue<string> _tail = new();

    private ChildProcess(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
    }

    /// <summary>Called with each line the process writes, from a thread-pool thread.</summary>
    public event Action<string>? Lines;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Where its output goes, line by line.</summary>
    public string LogPath { get; private init; } = "";

    /// <summary>
    /// Starts <paramref name="program"/> (a .dll runs under the dotnet host) in <paramref name="workingDirectory"/>
    /// (default: this one) with its output logged to <paramref name="logPath"/>.
    /// </summary>
    public static ChildProcess Start(string program, IEnumerable<string> arguments, string logPath, Action<string>? onLine = null,
        string? workingDirectory = null)
    {
        _ = _signals.Value;
        var start = new ProcessStartInfo(program.EndsWith(".dll", StringComparison.Ordinal) ? "dotnet" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        if (program.EndsWith(".dll", StringComparison.Ordinal)) start.ArgumentList.Add(program);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = new Process { StartInfo = start };
        var child = new ChildProcess(process, log) { LogPath = logPath };
        if (onLine is not null) child.Lines += onLine;
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        if (!process.Start())
            throw new InvalidOperationException($"{program} could not be started");
        _running[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    /// <summary>The last lines it wrote, for error messages.</summary>
    public string Tail()
    {
        lock (_log)
        {
            return string.Join('\n', _tail);
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
        lock (_log) _log.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            if (_log.BaseStream.CanWrite) _log.WriteLine(line);
            _tail.Enqueue(line);
            if (_tail.Count > TailLines) _tail.Dequeue();
        }
        Lines?.Invoke(line);
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
