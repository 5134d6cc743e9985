using System.Diagnostics;
using System.Globalization;
using ParameterServer.Client;
using ParameterServer.Tests.Processes;
using ParameterServer.Workers.Data;
using ParameterServer.Workers.Progress;
using Xunit;
using Xunit.Abstractions;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// kill -9 of a worker process mid-epoch of a short real training run: one silo, two <c>psworker train</c> processes,
/// Fashion-MNIST, BSP, batch 128, 2 epochs of 235 clocks, a 3 s lease. The killed worker's lease expires, its partition
/// goes to the live worker, whose clocks go on, and the run finishes at the test accuracy of the same run without the
/// fault. Measures the time from the kill to the handover and the wall time of both runs.
/// </summary>
[Collection(ProcessCollection.Name)]
[Trait("Category", ProcessCollection.Category)]
public sealed class WorkerKillTests(ITestOutputHelper output) : IDisposable
{
    private const int Epochs = 2;
    private const int Batch = 128;
    // Step 100 of epoch 1's 235: mid-epoch, with most of the run (370 clocks) left for one worker holding both partitions.
    private const int KillAfterStep = 100;
    private const int ClocksPerEpoch = (60_000 / 2 + Batch - 1) / Batch;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RunBound = TimeSpan.FromMinutes(3);

    private readonly string _directory = Directory.CreateTempSubdirectory("ps-worker-kill-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public async Task After_kill_9_of_a_worker_mid_epoch_the_other_takes_its_partition_and_reaches_the_accuracy_of_the_run_without_the_fault()
    {
        Skip.IfNot(File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "train-images-idx3-ubyte.gz")),
            $"Fashion-MNIST is not in {FashionMnist.DefaultDirectory} (Debian package dataset-fashion-mnist; .ci/run installs it)");
        await using var silo = await SiloProcess.StartAsync(_directory, "silo", ["--data-dir", Path.Combine(_directory, "silo")]);
        await using var client = await ParameterServerClient.ConnectAsync(new ConnectionOptions { GatewayPort = silo.GatewayPort, ConnectTimeout = TimeSpan.FromSeconds(60) });

        var clean = await TrainAsync(silo, client, "clean", kill: false);
        var faulty = await TrainAsync(silo, client, "kill", kill: true);

        output.WriteLine($"without a fault: test accuracy {clean.Accuracy:F4}, worker-0 trained {clean.Samples} samples, {clean.Wall.TotalSeconds:F1} s");
        output.WriteLine($"kill -9 of worker-1 after step {KillAfterStep} of epoch 1: test accuracy {faulty.Accuracy:F4}, worker-0 trained {faulty.Samples} samples, " +
            $"{faulty.Wall.TotalSeconds:F1} s; partition handed over {faulty.HandOver?.TotalSeconds:F1} s after the kill (lease {Lease.TotalSeconds} s); " +
            $"load average {File.ReadAllText("/proc/loadavg").Trim()}");

        // Handed over after the lease (plus the job's check, a quarter of it, and the status poll), not before.
        Assert.InRange(faulty.HandOver!.Value, Lease - TimeSpan.FromSeconds(1), Lease * 2);
        // worker-0 trained its own partition at every clock, and worker-1's from a clock or two after the kill on:
        // more than its own by at least the clocks left after epoch 1, where the kill was.
        Assert.Equal(60_000L / 2 * Epochs, clean.Samples);
        Assert.True(faulty.Samples >= clean.Samples + (ClocksPerEpoch - 1) * Batch, $"worker-0 trained {faulty.Samples} samples");
        // Under BSP the run with the fault trains the same batches at the same clocks as the one without, but for the
        // killed worker's step in flight and the one before the handover reached the survivor: the same curve, so the
        // bound of a silo kill (issue 5) holds with room. The run without the fault shows that 2 epochs train: 0.885
        // is the bar of the full 12-epoch run; 2 epochs of the same schedule reach about 0.86 here.
        Assert.True(clean.Accuracy >= 0.84, $"the run without a fault reached only {clean.Accuracy}");
        Assert.InRange(faulty.Accuracy, clean.Accuracy - 0.01, clean.Accuracy + 0.01);
    }

    /// <summary>Runs two workers on model <paramref name="name"/>; with <paramref name="kill"/>, kill -9 of worker-1 mid-epoch 1.</summary>
    private async Task<Run> TrainAsync(SiloProcess silo, ParameterServerClient client, string name, bool kill)
    {
        var clock = Stopwatch.StartNew();
        await using var worker0 = StartWorker(silo, name, 0);
        await using var worker1 = StartWorker(silo, name, 1);
        TimeSpan? handOver = null;
        if (kill)
        {
            await WaitForRecordAsync(worker1, r => r is StepProgress { Epoch: 1, Step: >= KillAfterStep });
            worker1.Kill();
            var killed = Stopwatch.StartNew();
            var model = await client.OpenModelAsync(name);
            while ((await model.GetStatusAsync()).Workers is not [{ WorkerId: "worker-0", Partitions: [0, 1] }])
            {
                Assert.True(killed.Elapsed < RunBound, $"worker-1's partition was not handed over within {RunBound}");
                await Task.Delay(50);
            }
            handOver = killed.Elapsed;
        }
        else
        {
            Assert.Equal(0, await worker1.WaitForExitAsync(RunBound));
        }
        Assert.Equal(0, await worker0.WaitForExitAsync(RunBound - clock.Elapsed));
        var records = Records(worker0);
        var last = records.OfType<EpochEnd>().Single(e => e.Epoch == Epochs);
        return new Run(last.TestAccuracy!.Value, records.OfType<WorkerDone>().Single().Samples, clock.Elapsed, handOver);
    }

    private ChildProcess StartWorker(SiloProcess silo, string model, int index) => ChildProcess.Start($"{model}-worker-{index}", Repository.Dotnet,
    [
        Repository.PsWorker, "train", "--gateway-port", Text(silo.GatewayPort), "--model", model, "--worker-index", Text(index), "--workers", "2",
        "--lease", Text(Lease.TotalSeconds), "--epochs", Text(Epochs), "--consistency", "bsp", "--device", "cpu", "--seed", "1",
        "--data", FashionMnist.DefaultDirectory, "--batch-size", Text(Batch), "--optimizer", "adam", "--learning-rate", "0.002", "--encoding", "fp32",
    ], Path.Combine(_directory, $"{model}-worker-{index}.log"));

    private static async Task WaitForRecordAsync(ChildProcess worker, Func<ProgressRecord, bool> predicate)
    {
        var clock = Stopwatch.StartNew();
        while (!Records(worker).Any(predicate))
        {
            if (worker.HasExited)
                throw new InvalidOperationException($"{worker.Name} exited before the awaited progress:\n{worker.Tail()}");
            if (clock.Elapsed > RunBound)
                throw new TimeoutException($"{worker.Name} did not report the awaited progress within {RunBound}:\n{worker.Tail()}");
            await Task.Delay(50);
        }
    }

    private static List<ProgressRecord> Records(ChildProcess worker) =>
        worker.Output.Split('\n').Select(ProgressProtocol.Parse).OfType<ProgressRecord>().ToList();

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record Run(double Accuracy, long Samples, TimeSpan Wall, TimeSpan? HandOver);
}
