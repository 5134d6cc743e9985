using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ParameterServer.WorkerHost.Cli;
using ParameterServer.WorkerHost.Output;
using ParameterServer.Workers.Data;

namespace ParameterServer.Workers.Tests.Launcher;

/// <summary>
/// The launcher's real code path with stand-ins for its children: a shell script as the silo (it records its
/// arguments and PID, then sleeps, while this class listens on the gateway port it was given) and a shell
/// script as the worker, whose body each test writes.
/// </summary>
internal sealed class FakeJob : IDisposable
{
    private readonly TempDirectory _dir = new();

    /// <summary>
    /// A job of <paramref name="workers"/> workers whose script runs <paramref name="workerBody"/> once $w (its index) and
    /// $epochs are set; <paramref name="standalone"/>: launched with --standalone (no silo).
    /// </summary>
    public FakeJob(string workerBody, int workers = 2, int epochs = 2, bool standalone = false)
    {
        var data = Path.Combine(_dir.Path, "data");
        Directory.CreateDirectory(data);
        foreach (var name in FashionMnist.FileNames)
            File.WriteAllBytes(Path.Combine(data, name), []);
        Directory.CreateDirectory(PidDirectory);

        // The PID first: the arguments tell this class to play the gateway, and the run may end soon after.
        var silo = Script("silo.sh", $"""
            echo $$ > {PidDirectory}/silo
            echo "$@" > {_dir.File("silo.args")}
            echo "silo starting"
            exec sleep 60
            """);
        var worker = Script("worker.sh", $"""
            pids={PidDirectory}
            echo "$@" > {_dir.Path}/worker.args.$$
            while [ $# -gt 0 ]; do
              case "$1" in
                --worker-index) w=$2; shift ;;
                --epochs) epochs=$2; shift ;;
              esac
              shift
            done
            echo $$ > $pids/worker-$w
            {workerBody}
            """);
        Options = LaunchOptions.Parse(
            ["--data", data, "--workers", workers.ToString(), "--epochs", epochs.ToString(), "--silo", silo, "--worker", worker, .. standalone ? new[] { "--standalone" } : []],
            DateTime.Now)
            with { RunDirectory = _dir.File("run") };
    }

    public LaunchOptions Options { get; }

    public StringWriter Output { get; } = new();

    public string PidDirectory => _dir.File("pids");

    /// <summary>The PID worker <paramref name="index"/>'s script wrote down.</summary>
    public int WorkerPid(int index) => int.Parse(File.ReadAllText(Path.Combine(PidDirectory, $"worker-{index}")).Trim());

    /// <summary>Every PID the fake children wrote down.</summary>
    public int[] Pids() => [.. Directory.GetFiles(PidDirectory).Select(f => int.Parse(File.ReadAllText(f).Trim()))];

    public string SiloArgs => File.ReadAllText(_dir.File("silo.args")).Trim();

    public string[] WorkerArgs => [.. Directory.GetFiles(_dir.Path, "worker.args.*").Select(f => File.ReadAllText(f).Trim()).Order()];

    /// <summary>Runs the launcher, playing the silo's gateway once the silo script has been started.</summary>
    public async Task<RunResults> RunAsync(CancellationToken cancellationToken = default)
    {
        var launcher = new WorkerHost.Launch.Launcher(Options, new PlainDisplay(Output, TimeSpan.Zero));
        var run = launcher.RunAsync(cancellationToken);
        using var gateway = await ListenOnGatewayAsync(run);
        return await run;
    }

    public void Dispose() => _dir.Dispose();

    private async Task<TcpListenerLease> ListenOnGatewayAsync(Task run)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(_dir.File("silo.args")) || File.ReadAllText(_dir.File("silo.args")).Length == 0)
        {
            if (run.IsCompleted || clock.Elapsed > TimeSpan.FromSeconds(30))
                return new TcpListenerLease(null);
            await Task.Delay(20);
        }
        var args = File.ReadAllText(_dir.File("silo.args")).Split(' ', StringSplitOptions.TrimEntries);
        var port = int.Parse(args[Array.IndexOf(args, "--gateway-port") + 1]);
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return new TcpListenerLease(listener);
    }

    private string Script(string name, string body)
    {
        var path = _dir.File(name);
        File.WriteAllText(path, "#!/bin/sh\n" + body.Replace("\r", "") + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private sealed class TcpListenerLease(TcpListener? listener) : IDisposable
    {
        public void Dispose() => listener?.Stop();
    }
}
