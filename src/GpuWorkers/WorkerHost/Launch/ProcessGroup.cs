using System.ComponentModel;
using System.Diagnostics;
using System.Threading.Channels;

namespace ParameterServer.WorkerHost.Launch;

/// <summary>
/// The processes of one run. Starts each with its output redirected and read line by line (into its log file and
/// to <see cref="RunAsync"/>), remembers every PID, and kills them all, by PID, when the run fails (a service exits, a
/// handler throws), when it is cancelled, and when the group is disposed, so nothing it started outlives it.
/// Example: <c>await using var group = new ProcessGroup(logs); group.Start("worker 0", cmd, args, runsToCompletion: true); await group.RunAsync(OnLine, OnExit, ct);</c>
/// </summary>
internal sealed class ProcessGroup : IAsyncDisposable
{
    private readonly List<ChildProcess> _children = [];
    private readonly List<Task> _readers = [];
    private readonly Channel<ChildEvent> _events = Channel.CreateUnbounded<ChildEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string? _logDirectory;

    /// <param name="logDirectory">Where each child's output goes, as "NAME.log"; null: nowhere.</param>
    public ProcessGroup(string? logDirectory = null)
    {
        _logDirectory = logDirectory;
        if (logDirectory is not null)
            Directory.CreateDirectory(logDirectory);
    }

    public IReadOnlyList<ChildProcess> Children => _children;

    public ChildProcess Start(string name, ChildCommand command, IEnumerable<string> args, bool runsToCompletion)
    {
        Process process;
        try
        {
            process = Process.Start(command.StartInfo(args)) ?? throw new InvalidOperationException($"{command} did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"cannot start {name} ({command}): {e.Message}", e);
        }
        var logPath = _logDirectory is null ? null : Path.Combine(_logDirectory, name.Replace(' ', '-') + ".log");
        var child = new ChildProcess(name, process, runsToCompletion, logPath);
        _children.Add(child);
        _readers.Add(Task.Run(() => ReadAsync(child)));
        return child;
    }

    /// <summary>
    /// Passes every output line of every child to <paramref name="onLine"/>, and each child that runs to completion, once
    /// it has exited and its output has been read, to <paramref name="onExit"/> (on one thread, in arrival order), until
    /// every such child has exited. Whether a child that exited with a non-zero code ends the run is for
    /// <paramref name="onExit"/> to say, by throwing; a service that exits at all throws <see cref="ChildFailedException"/>.
    /// Whatever ends the run early (a service's exit, an exception from a handler, cancellation) first kills every child.
    /// </summary>
    public async Task RunAsync(Action<ChildProcess, string> onLine, Action<ChildProcess> onExit, CancellationToken cancellationToken)
    {
        var running = _children.Count(c => c.RunsToCompletion);
        try
        {
            await foreach (var e in _events.Reader.ReadAllAsync(cancellationToken))
            {
                if (e.Line is not null)
                {
                    onLine(e.Child, e.Line);
                    continue;
                }
                if (!e.Child.RunsToCompletion)
                    throw new ChildFailedException(e.Child, $"exited with code {e.Child.ExitCode} while the run was going on");
                onExit(e.Child);
                if (--running == 0)
                    return;
            }
        }
        catch
        {
            KillAll();
            throw;
        }
    }

    public void KillAll()
    {
        foreach (var child in _children)
            child.Kill();
    }

    public async ValueTask DisposeAsync()
    {
        KillAll();
        // The readers end once the killed processes' pipes close; a descendant that escaped the kill and holds
        // a pipe open must not hang the launcher.
        await Task.WhenAll(_readers).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var child in _children)
            child.Dispose();
    }

    private async Task ReadAsync(ChildProcess child)
    {
        await Task.WhenAll(ReadLinesAsync(child, child.Process.StandardOutput), ReadLinesAsync(child, child.Process.StandardError));
        await child.Process.WaitForExitAsync();
        child.ExitCode = child.Process.ExitCode;
        _events.Writer.TryWrite(new ChildEvent(child, null));
    }

    private async Task ReadLinesAsync(ChildProcess child, StreamReader output)
    {
        while (await output.ReadLineAsync() is { } line)
        {
            child.Record(line);
            _events.Writer.TryWrite(new ChildEvent(child, line));
        }
    }

    /// <summary>A line of output, or (Line null) the child's exit after all its output.</summary>
    private readonly record struct ChildEvent(ChildProcess Child, string? Line);
}
