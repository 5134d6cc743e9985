using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using ParameterServer.Client;
using ParameterServer.Tests.Processes;
using Xunit;
using Xunit.Abstractions;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// kill -9 of a worker process mid-epoch of a short real training run (<see cref="TwoWorkerRuns"/>): of a worker started
/// by hand with <c>psworker train</c>, and of a worker under <c>psworker launch</c> (what deploy/local-cluster.sh runs),
/// found by its PID file. The killed worker's lease expires, its partition goes to the live worker, whose clocks go on,
/// and the run finishes at the test accuracy of the same run without the fault. Measures the time from the kill to the
/// handover and the wall time of the runs.
/// </summary>
[Collection(ProcessCollection.Name)]
[Trait("Category", ProcessCollection.Category)]
public sealed partial class WorkerKillTests(TwoWorkerRuns runs, ITestOutputHelper output) : IClassFixture<TwoWorkerRuns>
{
    /// <summary>The model psworker launch trains (its Launcher.Model).</summary>
    private const string LaunchedModel = "fashion-mnist-mlp";

    [SkippableFact]
    public async Task After_kill_9_of_a_worker_mid_epoch_the_other_takes_its_partition_and_reaches_the_accuracy_of_the_run_without_the_fault()
    {
        TwoWorkerRuns.SkipWithoutDataset();
        var clean = await runs.CleanAsync();
        var faulty = await runs.TrainAsync("kill", kill: true);

        output.WriteLine($"without a fault: test accuracy {clean.Accuracy:F4}, worker-0 trained {clean.Samples} samples, {clean.Wall.TotalSeconds:F1} s");
        output.WriteLine($"kill -9 of worker-1 after step {TwoWorkerRuns.KillAfterStep} of epoch 1: test accuracy {faulty.Accuracy:F4}, worker-0 trained " +
            $"{faulty.Samples} samples, {faulty.Wall.TotalSeconds:F1} s; partition handed over {faulty.HandOver?.TotalSeconds:F1} s after the kill " +
            $"(lease {TwoWorkerRuns.Lease.TotalSeconds} s); load average {File.ReadAllText("/proc/loadavg").Trim()}");

        // Handed over after the lease (plus the job's check, a quarter of it, and the status poll), not before.
        Assert.InRange(faulty.HandOver!.Value, TwoWorkerRuns.Lease - TimeSpan.FromSeconds(1), TwoWorkerRuns.Lease * 2);
        // worker-0 trained its own partition at every clock, and worker-1's from a clock or two after the kill on:
        // more than its own by at least the clocks left after epoch 1, where the kill was.
        Assert.Equal(60_000L / 2 * TwoWorkerRuns.Epochs, clean.Samples);
        Assert.True(faulty.Samples >= clean.Samples + (TwoWorkerRuns.ClocksPerEpoch - 1) * TwoWorkerRuns.Batch, $"worker-0 trained {faulty.Samples} samples");
        // Under BSP the run with the fault trains the same batches at the same clocks as the one without, but for the
        // killed worker's step in flight and the one before the handover reached the survivor: the same curve, so the
        // bound of a silo kill (issue 5) holds with room. The run without the fault shows that 2 epochs train: 0.885
        // is the bar of the full 12-epoch run; 2 epochs of the same schedule reach about 0.86 here.
        Assert.True(clean.Accuracy >= 0.84, $"the run without a fault reached only {clean.Accuracy}");
        Assert.InRange(faulty.Accuracy, clean.Accuracy - 0.01, clean.Accuracy + 0.01);
    }

    [SkippableFact]
    public async Task Under_psworker_launch_kill_9_of_worker_0_by_its_pid_file_is_survived_recorded_and_reaches_the_accuracy_of_the_run_without_the_fault()
    {
        TwoWorkerRuns.SkipWithoutDataset();
        var clean = await runs.CleanAsync();
        var run = Path.Combine(runs.Directory, "launch");
        var (pids, json) = (Path.Combine(run, "pids"), Path.Combine(run, "results.json"));
        var wall = Stopwatch.StartNew();
        await using var launch = ChildProcess.Start("launch", Repository.Dotnet,
        [
            Repository.PsWorker, "launch", .. TwoWorkerRuns.Training, "--silo", Repository.ParamServer,
            "--run-dir", run, "--pid-dir", pids, "--json", json, "--plot", Path.Combine(run, "curves.png"),
        ], Path.Combine(runs.Directory, "launch.log"));
        await launch.WaitForOutputAsync("silo ready", TimeSpan.FromSeconds(90));
        var silo = SiloStarted().Match(launch.Output);
        await using var client = await ParameterServerClient.ConnectAsync(
            new ConnectionOptions { GatewayPort = int.Parse(silo.Groups["port"].Value), ConnectTimeout = TimeSpan.FromSeconds(60) });

        // worker 0, the job's evaluator, is killed mid-epoch 1 as a script would: by the PID in its file.
        var workerLog = Path.Combine(run, "worker-0.log");
        await TwoWorkerRuns.WaitForRecordAsync("worker 0", () => ReadShared(workerLog), () => launch.HasExited,
            r => r is Workers.Progress.StepProgress { Epoch: 1, Step: >= TwoWorkerRuns.KillAfterStep });
        var workerPids = new[] { 0, 1 }.Select(w => int.Parse(File.ReadAllText(Path.Combine(pids, $"worker-{w}.pid")).Trim())).ToArray();
        var killedAt = DateTimeOffset.UtcNow;
        using (var worker0 = Process.GetProcessById(workerPids[0]))
            worker0.Kill();
        var handOver = await TwoWorkerRuns.HandOverAsync(await client.OpenModelAsync(LaunchedModel), "worker-1");
        Assert.Equal(0, await launch.WaitForExitAsync(TwoWorkerRuns.RunBound));
        wall.Stop();

        using var results = JsonDocument.Parse(File.ReadAllText(json));
        var root = results.RootElement;
        var accuracy = root.GetProperty("test_accuracy").GetDouble();
        var (lost, survivor) = (root.GetProperty("per_worker")[0], root.GetProperty("per_worker")[1]);
        var loss = lost.GetProperty("lost");
        output.WriteLine($"psworker launch, kill -9 of worker 0 after step {TwoWorkerRuns.KillAfterStep} of epoch 1: test accuracy {accuracy:F4} " +
            $"(without a fault {clean.Accuracy:F4}); partition handed over {handOver.TotalSeconds:F1} s after the kill; worker 1 trained " +
            $"{survivor.GetProperty("samples").GetInt64()} samples, worker 0 {lost.GetProperty("samples").GetInt64()} before the kill; " +
            $"recorded lost {loss.GetProperty("seconds").GetDouble():F1} s into the run: {loss.GetProperty("reason").GetString()}; " +
            $"launch wall {wall.Elapsed.TotalSeconds:F1} s; load average {File.ReadAllText("/proc/loadavg").Trim()}");

        Assert.InRange(handOver, TwoWorkerRuns.Lease - TimeSpan.FromSeconds(1), TwoWorkerRuns.Lease * 2);
        Assert.Contains($"worker 0: LOST (pid {workerPids[0]}): killed by signal 9 (SIGKILL), exit code 137", launch.Output);
        Assert.Equal((workerPids[0], 137, "killed by signal 9 (SIGKILL), exit code 137"),
            (loss.GetProperty("pid").GetInt32(), loss.GetProperty("exit_code").GetInt32(), loss.GetProperty("reason").GetString()));
        Assert.InRange(loss.GetProperty("at").GetDateTimeOffset(), killedAt, killedAt + TimeSpan.FromSeconds(10));
        // Its figures as of its last step report, at or after step 100 of epoch 1; the survivor's as in the test above.
        Assert.Equal(1, loss.GetProperty("epoch").GetInt32());
        Assert.InRange(lost.GetProperty("samples").GetInt64(), TwoWorkerRuns.KillAfterStep * TwoWorkerRuns.Batch, TwoWorkerRuns.ClocksPerEpoch * TwoWorkerRuns.Batch);
        Assert.Equal(JsonValueKind.Null, survivor.GetProperty("lost").ValueKind);
        Assert.True(survivor.GetProperty("samples").GetInt64() >= clean.Samples + (TwoWorkerRuns.ClocksPerEpoch - 1) * TwoWorkerRuns.Batch);
        // Worker 1 took over the evaluation: epoch 1, which ended after the handover, has its accuracy too.
        Assert.All(root.GetProperty("curves").EnumerateArray(), p => Assert.Equal(JsonValueKind.Number, p.GetProperty("test_accuracy").ValueKind));
        Assert.InRange(accuracy, clean.Accuracy - 0.01, clean.Accuracy + 0.01);
        // Every process the launcher started is gone: the silo and both workers.
        Assert.Empty(await Survivors([int.Parse(silo.Groups["pid"].Value), .. workerPids]));
    }

    /// <summary>The launcher's line about its silo: "silo started (pid N, gateway port P); waiting for it".</summary>
    [GeneratedRegex(@"silo started \(pid (?<pid>\d+), gateway port (?<port>\d+)\)")]
    private static partial Regex SiloStarted();

    // The launcher is still writing the log.
    private static string ReadShared(string path)
    {
        if (!File.Exists(path))
            return "";
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        return reader.ReadToEnd();
    }

    private static async Task<int[]> Survivors(int[] pids)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var alive = pids.Where(IsRunning).ToArray();
            if (alive.Length == 0 || clock.Elapsed > TimeSpan.FromSeconds(5))
                return alive;
            await Task.Delay(50);
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
