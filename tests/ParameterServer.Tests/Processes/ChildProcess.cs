using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace ParameterServer.Tests.Processes;

/// <summary>
/// A process a test started: its output goes to a log file and can be waited on line by line, and it is stopped by
/// its PID when disposed, whatever the test did.
/// </summary>
internal sealed partial class ChildProcess : IAsyncDisposable
{
    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly StringBuilder _output = new();

    private ChildProcess(string name, Process process, string logPath)
    {
        Name = name;
        _process = process;
        LogPath = logPath;
        _log = new StreamWriter(logPath, append: true) { AutoFlush = true };
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public string LogPath { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved as they arrived.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>
    /// Starts <paramref name="fileName"/> with <paramref name="arguments"/> and, on top of the test's own environment,
    /// <paramref name="environment"/>; its output goes to <paramref name="logPath"/>, <paramref name="name"/> names it in messages.
    /// </summary>
    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, string logPath,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
            info.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            info.Environment[key] = value;
        var process = new Process { StartInfo = info };
        var child = new ChildProcess(name, process, logPath);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits until the output holds <paramref name="text"/>; fails with the log's tail if the process exits first or time runs out.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (HasExited)
                throw new InvalidOperationException($"{Name} (pid {Pid}) exited with {_process.ExitCode} before writing '{text}':\n{Tail()}");
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"{Name} (pid {Pid}) did not write '{text}' within {timeout.TotalSeconds:0} s:\n{Tail()}");
            await Task.Delay(50);
        }
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Waits until the process exits and returns its exit code; fails with the log's tail if time runs out first.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} (pid {Pid}) did not exit within {timeout.TotalSeconds:0} s:\n{Tail()}");
        }
        return _process.ExitCode;
    }

    /// <summary>
    /// kill -9 of the process and of every process it started that is still its descendant (a script's children), then
    /// a bounded wait: a descendant that escaped still holds the output pipes, whose end an unbounded wait would await.
    /// </summary>
    public void Kill()
    {
        if (!HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGTERM, as Ctrl-C or a service manager stops it; SIGKILL if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (HasExited)
            return;
        _ = Signal(Pid, SigTerm);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <summary>SIGTERM to a process by its PID, such as one a script started and named in a PID file.</summary>
    public static void Terminate(int pid) => _ = Signal(pid, SigTerm);

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        lock (_output) _log.Dispose();
        return ValueTask.CompletedTask;
    }

    public string Tail(int lines = 40)
    {
        var all = Output.Split('\n');
        return string.Join('\n', all[Math.Max(0, all.Length - lines)..]);
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
        {
            _output.Append(line).Append('\n');
            _log.WriteLine(line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Signal(int pid, int signal);
}
