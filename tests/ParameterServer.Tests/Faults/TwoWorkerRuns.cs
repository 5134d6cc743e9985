using System.Diagnostics;
using System.Globalization;
using ParameterServer.Client;
using ParameterServer.Tests.Processes;
using ParameterServer.Workers.Data;
using ParameterServer.Workers.Progress;
using Xunit;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// The short real training run of the worker kill tests: two workers, Fashion-MNIST, BSP, batch 128, 2 epochs of 235
/// clocks, a 3 s lease; and, computed once for them all, the same run without a fault on a silo of its own, the
/// baseline each faulty run's accuracy is held to. Stops its silo when the tests are done.
/// </summary>
public sealed class TwoWorkerRuns : IAsyncLifetime
{
    public const int Epochs = 2;
    public const int Batch = 128;
    // Step 100 of epoch 1's 235: mid-epoch, with most of the run (370 clocks) left for one worker holding both partitions.
    public const int KillAfterStep = 100;
    public const int ClocksPerEpoch = (60_000 / 2 + Batch - 1) / Batch;
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan RunBound = TimeSpan.FromMinutes(3);

    /// <summary>The training options of every run, as both <c>psworker train</c> and <c>psworker launch</c> take them.</summary>
    public static readonly string[] Training =
    [
        "--workers", "2", "--lease", Text(Lease.TotalSeconds), "--epochs", Text(Epochs), "--consistency", "bsp", "--device", "cpu", "--seed", "1",
        "--data", FashionMnist.DefaultDirectory, "--batch-size", Text(Batch), "--optimizer", "adam", "--learning-rate", "0.002", "--encoding", "fp32",
    ];

    private Task<Run>? _clean;
    private SiloProcess? _silo;
    private ParameterServerClient? _client;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("ps-worker-kill-").FullName;

    public static void SkipWithoutDataset() =>
        Skip.IfNot(File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "train-images-idx3-ubyte.gz")),
            $"Fashion-MNIST is not in {FashionMnist.DefaultDirectory} (Debian package dataset-fashion-mnist; .ci/run installs it)");

    /// <summary>The run without a fault, trained on the first call.</summary>
    internal Task<Run> CleanAsync() => _clean ??= TrainAsync("clean", kill: false);

    /// <summary>
    /// Runs two <c>psworker train</c> processes on model <paramref name="name"/> of this fixture's silo; with
    /// <paramref name="kill"/>, kill -9 of worker-1 mid-epoch 1, timing the handover of its partition.
    /// </summary>
    internal async Task<Run> TrainAsync(string name, bool kill)
    {
        if (_silo is null)
        {
            _silo = await SiloProcess.StartAsync(Directory, "silo", ["--data-dir", Path.Combine(Directory, "silo")]);
            _client = await ParameterServerClient.ConnectAsync(new ConnectionOptions { GatewayPort = _silo.GatewayPort, ConnectTimeout = TimeSpan.FromSeconds(60) });
        }
        var clock = Stopwatch.StartNew();
        await using var worker0 = StartWorker(name, 0);
        await using var worker1 = StartWorker(name, 1);
        TimeSpan? handOver = null;
        if (kill)
        {
            await WaitForRecordAsync(worker1.Name, () => worker1.Output, () => worker1.HasExited, r => r is StepProgress { Epoch: 1, Step: >= KillAfterStep });
            worker1.Kill();
            handOver = await HandOverAsync(await _client!.OpenModelAsync(name), "worker-0");
        }
        else
        {
            Assert.Equal(0, await worker1.WaitForExitAsync(RunBound));
        }
        Assert.Equal(0, await worker0.WaitForExitAsync(RunBound - clock.Elapsed));
        var records = Records(worker0.Output);
        var last = records.OfType<EpochEnd>().Single(e => e.Epoch == Epochs);
        return new Run(last.TestAccuracy!.Value, records.OfType<WorkerDone>().Single().Samples, clock.Elapsed, handOver);
    }

    /// <summary>Polls the job until <paramref name="survivor"/> is its only worker and holds both partitions; returns how long that took.</summary>
    internal static async Task<TimeSpan> HandOverAsync(ModelHandle model, string survivor)
    {
        var killed = Stopwatch.StartNew();
        while ((await model.GetStatusAsync()).Workers is not [{ Partitions: [0, 1] } only] || only.WorkerId != survivor)
        {
            Assert.True(killed.Elapsed < RunBound, $"the killed worker's partition was not handed over within {RunBound}");
            await Task.Delay(50);
        }
        return killed.Elapsed;
    }

    /// <summary>Waits until a worker's output holds a progress record that <paramref name="predicate"/> accepts.</summary>
    internal static async Task WaitForRecordAsync(string name, Func<string> output, Func<bool> exited, Func<ProgressRecord, bool> predicate)
    {
        var clock = Stopwatch.StartNew();
        while (!Records(output()).Any(predicate))
        {
            if (exited())
                throw new InvalidOperationException($"{name} exited before the awaited progress");
            if (clock.Elapsed > RunBound)
                throw new TimeoutException($"{name} did not report the awaited progress within {RunBound}");
            await Task.Delay(50);
        }
    }

    internal static List<ProgressRecord> Records(string output) =>
        output.Split('\n').Select(ProgressProtocol.Parse).OfType<ProgressRecord>().ToList();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_client is not null)
            await _client.DisposeAsync();
        if (_silo is not null)
            await _silo.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private ChildProcess StartWorker(string model, int index) => ChildProcess.Start($"{model}-worker-{index}", Repository.Dotnet,
        [Repository.PsWorker, "train", "--gateway-port", Text(_silo!.GatewayPort), "--model", model, "--worker-index", Text(index), .. Training],
        Path.Combine(Directory, $"{model}-worker-{index}.log"));

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A run's final test accuracy, the samples worker-0 trained, its wall time, and how long after the kill the partition moved.</summary>
internal sealed record Run(double Accuracy, long Samples, TimeSpan Wall, TimeSpan? HandOver);
