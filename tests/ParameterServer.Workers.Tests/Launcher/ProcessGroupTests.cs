using ParameterServer.WorkerHost.Launch;

namespace ParameterServer.Workers.Tests.Launcher;

public sealed class ProcessGroupTests : IDisposable
{
    private static readonly ChildCommand _sleep = new("sleep", []);
    private static readonly ChildCommand _shell = new("/bin/sh", []);
    private readonly TempDirectory _logs = new();

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task A_child_that_fails_goes_to_the_exit_handler_and_the_others_run_to_their_end()
    {
        await using var group = new ProcessGroup(_logs.Path);
        var failing = group.Start("failing", _shell, ["-c", "echo loading; echo going down >&2; exit 3"], runsToCompletion: true);
        var sleeper = group.Start("sleeper", _shell, ["-c", "sleep 1; echo awake"], runsToCompletion: true);
        var exits = new List<(string, int?, bool)>();

        await group.RunAsync((_, _) => { }, child => exits.Add((child.Name, child.ExitCode, Pids.IsRunning(sleeper.Pid))), CancellationToken.None);

        // The failing child is handed over while the sleeper still runs; the run ends when the sleeper exits too.
        Assert.Equal([("failing", 3, true), ("sleeper", 0, false)], exits);
        Assert.Contains("going down", failing.LastLines());
    }

    [Fact]
    public async Task An_exit_handler_that_throws_stops_every_other_child_by_pid()
    {
        await using var group = new ProcessGroup(_logs.Path);
        var sleepers = Enumerable.Range(0, 3).Select(i => group.Start($"sleeper {i}", _sleep, ["30"], runsToCompletion: true)).ToList();
        var failing = group.Start("failing", _shell, ["-c", "exit 3"], runsToCompletion: true);

        var e = await Assert.ThrowsAsync<ChildFailedException>(() => group.RunAsync((_, _) => { },
            child => throw new ChildFailedException(child, $"exited with code {child.ExitCode}"), CancellationToken.None));

        Assert.Same(failing, e.Child);
        Assert.Empty(await Pids.Survivors(sleepers.Select(s => s.Pid)));
    }

    [Fact]
    public async Task A_service_that_exits_during_the_run_fails_it()
    {
        await using var group = new ProcessGroup();
        var silo = group.Start("silo", _shell, ["-c", "exit 0"], runsToCompletion: false);
        var worker = group.Start("worker 0", _sleep, ["30"], runsToCompletion: true);

        var e = await Assert.ThrowsAsync<ChildFailedException>(() => group.RunAsync((_, _) => { }, _ => { }, CancellationToken.None));

        Assert.Same(silo, e.Child);
        Assert.Equal("exited with code 0 while the run was going on", e.Reason);
        Assert.Empty(await Pids.Survivors([worker.Pid]));
    }

    [Fact]
    public async Task Cancellation_stops_every_child_by_pid()
    {
        await using var group = new ProcessGroup();
        var children = new[]
        {
            group.Start("silo", _sleep, ["30"], runsToCompletion: false),
            group.Start("worker 0", _sleep, ["30"], runsToCompletion: true),
            group.Start("worker 1", _sleep, ["30"], runsToCompletion: true),
        };
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => group.RunAsync((_, _) => { }, _ => { }, cancel.Token));

        Assert.Empty(await Pids.Survivors(children.Select(c => c.Pid)));
    }

    [Fact]
    public async Task A_line_handler_that_throws_stops_every_child()
    {
        await using var group = new ProcessGroup();
        var sleeper = group.Start("silo", _sleep, ["30"], runsToCompletion: false);
        var talker = group.Start("worker 0", _shell, ["-c", "echo bad news; exec sleep 30"], runsToCompletion: true);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => group.RunAsync(
            (_, line) => throw new InvalidOperationException(line), _ => { }, CancellationToken.None));

        Assert.Equal("bad news", e.Message);
        Assert.Empty(await Pids.Survivors([sleeper.Pid, talker.Pid]));
    }

    [Fact]
    public async Task A_run_ends_when_every_worker_exits_cleanly_and_disposal_stops_the_services()
    {
        var group = new ProcessGroup(_logs.Path);
        var silo = group.Start("silo", _sleep, ["30"], runsToCompletion: false);
        var a = group.Start("worker 0", _shell, ["-c", "echo a1; echo a2"], runsToCompletion: true);
        var b = group.Start("worker 1", _shell, ["-c", "echo b1"], runsToCompletion: true);
        var lines = new List<(string, string)>();

        await group.RunAsync((child, line) => lines.Add((child.Name, line)), _ => { }, CancellationToken.None);

        Assert.Equal([("worker 0", "a1"), ("worker 0", "a2")], lines.Where(l => l.Item1 == "worker 0"));
        Assert.Equal([("worker 1", "b1")], lines.Where(l => l.Item1 == "worker 1"));
        Assert.Equal((0, 0), (a.ExitCode, b.ExitCode));
        Assert.True(Pids.IsRunning(silo.Pid));
        await group.DisposeAsync();
        Assert.Empty(await Pids.Survivors([silo.Pid]));
        Assert.Equal(["a1", "a2"], File.ReadAllLines(_logs.File("worker-0.log")));
    }

    [Fact]
    public async Task A_program_that_does_not_exist_is_named_in_the_error()
    {
        await using var group = new ProcessGroup();

        var e = Assert.Throws<InvalidOperationException>(() => group.Start("silo", new ChildCommand("/nonexistent/paramserver", []), [], runsToCompletion: false));

        Assert.Contains("cannot start silo (/nonexistent/paramserver)", e.Message);
    }
}
