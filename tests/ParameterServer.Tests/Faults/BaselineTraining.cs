using System.Diagnostics;
using ParameterServer.Tests.Processes;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// What the training fault tests share: the run (deploy/local-cluster.sh, 2 silos and 2 workers, <see cref="Training"/>),
/// the silos' settings, and that run without a fault, made once for the whole process collection when a test first
/// asks for it: the accuracy a faulted run must come within a point of.
/// </summary>
public sealed class BaselineTraining : IDisposable
{
    public const string Dataset = "/usr/share/datasets/fashion-mnist";

    /// <summary>The model psworker launch trains.</summary>
    public const string Model = "fashion-mnist-mlp";

    /// <summary>A shard checkpoints every this many updates: a lost silo costs at most about that much work.</summary>
    public const int CheckpointEvery = 25;

    /// <summary>
    /// Clocks of the run: 60,000 training images over 2 workers, batches of 128 (the default), 235 steps per epoch;
    /// under BSP every shard applies one update per clock.
    /// </summary>
    public const int StepsPerEpoch = 235;

    public const int Epochs = 2;

    /// <summary>Rows of the last batch of an epoch: 30,000 - 234 * 128.</summary>
    public const int LastBatch = 48;

    public static readonly string[] Training = ["--epochs", $"{Epochs}", "--consistency", "bsp"];

    /// <summary>
    /// The silos' settings: the checkpoint policy (the job saves its progress at the same interval), checkpoint retries,
    /// and failure detection in about 3 s instead of Orleans' default of about 15 s (3 missed probes, 5 s apart).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Silos = new Dictionary<string, string>
    {
        ["PS_Checkpoint__EveryUpdates"] = $"{CheckpointEvery}",
        ["PS_Checkpoint__Interval"] = "00:00:02",
        ["PS_Checkpoint__RetryDelay"] = "00:00:00.5",
        ["PS_Checkpoint__MaxRetryDelay"] = "00:00:04",
        ["PS_Membership__ProbeTimeout"] = "00:00:01",
        ["PS_Membership__NumMissedProbesLimit"] = "2",
    };

    /// <summary>How long one run may take, its Release build included.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);

    private readonly string _directory = Directory.CreateTempSubdirectory("ps-baseline-").FullName;
    private readonly Lazy<Task<(double Accuracy, TimeSpan Wall)>> _run;

    public BaselineTraining() => _run = new(RunAsync);

    /// <summary>The test accuracy of the run without a fault, and how long it took (build, start, train, stop).</summary>
    public Task<(double Accuracy, TimeSpan Wall)> ResultAsync() => _run.Value;

    /// <summary>Skips a test that cannot start such a run here, saying why.</summary>
    public static void SkipUnlessRunnable()
    {
        Xunit.Skip.IfNot(Repository.HasAzurite, $"{Repository.Azurite} is missing: run npm ci (./test.sh does)");
        Xunit.Skip.IfNot(Directory.Exists(Dataset), $"Fashion-MNIST is not in {Dataset} (apt-get install dataset-fashion-mnist)");
    }

    /// <summary>Samples a worker trains from the step after <paramref name="clock"/> to the end of the run.</summary>
    public static long SamplesAfter(long clock) =>
        (Epochs * StepsPerEpoch - clock) * 128 - (Epochs - clock / StepsPerEpoch) * (128 - LastBatch);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<(double, TimeSpan)> RunAsync()
    {
        var clock = Stopwatch.StartNew();
        await using var run = LocalCluster.Start(Path.Combine(_directory, "baseline"), silos: 2, workers: 2, Silos, Training);
        return (await run.CompleteAsync(Timeout), clock.Elapsed);
    }
}
