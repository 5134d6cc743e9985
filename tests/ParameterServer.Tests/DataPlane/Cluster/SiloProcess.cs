using System.Diagnostics;
using System.Text;

namespace ParameterServer.Tests.DataPlane.Cluster;

/// <summary>
/// A real <c>paramserver silo</c> process, the executable the test project builds beside itself, with its output
/// captured. Stopped by its PID: SIGTERM (a graceful stop, as Kubernetes or Ctrl-C would), then killed if it has not
/// exited within a bound; disposing it kills it if it still runs, so a failing test leaves no silo behind.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SiloProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, line) => Append(line.Data);
        _process.ErrorDataReceived += (_, line) => Append(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    /// <summary>Everything the silo wrote so far, stdout and stderr interleaved by line.</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>Starts <c>paramserver silo</c> with <paramref name="args"/> in <paramref name="workingDirectory"/>.</summary>
    public static SiloProcess Start(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "paramserver"))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("silo");
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        return new SiloProcess(Process.Start(start) ?? throw new InvalidOperationException("paramserver could not be started"));
    }

    /// <summary>Waits for the silo's ready line; a silo that exits or stays silent first fails with its output.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!Output.Contains("silo ready", StringComparison.Ordinal))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"silo {Pid} exited with {_process.ExitCode} before it was ready:\n{Output}");
            if (watch.Elapsed > timeout)
                throw new TimeoutException($"silo {Pid} was not ready within {timeout}:\n{Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>Sends SIGTERM and waits for the exit; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"silo {Pid} did not stop within {StopTimeout} of SIGTERM and was killed:\n{Output}");
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }
}
