using System.Text.Json;
using System.Text.Json.Serialization;

namespace ParameterServer.WorkerHost.Output;

/// <summary>
/// The results file of a run (snake_case JSON). <see cref="TestAccuracy"/> is the last evaluation's accuracy on
/// <see cref="TestSamples"/> test images; <see cref="SamplesPerSecond"/> is the training samples of all workers
/// over the longest worker's training time; <see cref="StallFraction"/> has one entry per worker, by index. A worker
/// lost during the run has its figures up to its last report in <see cref="PerWorker"/>, with how it was lost.
/// </summary>
internal sealed record RunResults(
    double? TestAccuracy,
    double? TestLoss,
    int TestSamples,
    int Epochs,
    int Workers,
    string Consistency,
    string Device,
    string DeviceRequested,
    ulong Seed,
    double SamplesPerSecond,
    double WallSeconds,
    double[] StallFraction,
    WorkerResult[] PerWorker,
    EpochPoint[] Curves)
{
    private static readonly JsonSerializerOptions _json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };

    public string ToJson() => JsonSerializer.Serialize(this, _json);

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, ToJson() + "\n");
    }
}

/// <summary>
/// One worker's totals: its device, samples trained, training throughput and stall fraction; for a worker lost during
/// the run (<see cref="Lost"/>), its figures as of its last step report.
/// </summary>
internal sealed record WorkerResult(int Worker, string Device, long Samples, double SamplesPerSecond, double StallFraction, WorkerLoss? Lost = null);

/// <summary>
/// A worker lost during the run: its PID, exit code and how it ended, when (UTC, and in seconds from the first worker's
/// start, as the curves), and how far it had got: the epoch and step of its last step report and the epochs it ended.
/// </summary>
internal sealed record WorkerLoss(int Pid, int ExitCode, string Reason, DateTimeOffset At, double Seconds, int Epoch, int Step, int EpochsDone);

/// <summary>
/// One epoch of the curves: training loss (mean over workers), when evaluated, test accuracy and loss on TestSamples
/// images, and the seconds from the first worker's start until every worker had ended the epoch (evaluation included).
/// </summary>
internal sealed record EpochPoint(int Epoch, double TrainLoss, double? TestAccuracy, double? TestLoss, int TestSamples, double Seconds);
