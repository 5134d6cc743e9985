using ParameterServer.Workers.Progress;

namespace ParameterServer.WorkerHost.Output;

/// <summary>The words both displays use for a worker's progress, so a terminal and a log file read the same.</summary>
internal static class ProgressText
{
    public static string Step(StepProgress s, int epochs) =>
        $"epoch {s.Epoch}/{epochs}  step {s.Step}/{s.StepsInEpoch}  loss {s.Loss:F4}  {s.SamplesPerSecond:N0} samples/s  stall {s.StallFraction:P1}";

    /// <summary>Short enough that a bar fits beside it on an 80-column terminal; the bar shows the step.</summary>
    public static string Bar(StepProgress s, int epochs) =>
        $"epoch {s.Epoch}/{epochs}  loss {s.Loss:F4}  {s.SamplesPerSecond:N0}/s  stall {s.StallFraction:P1}";

    public static string Epoch(EpochEnd e, int epochs) => e.TestAccuracy is { } accuracy
        ? $"epoch {e.Epoch}/{epochs} done: train loss {e.TrainLoss:F4}, test accuracy {accuracy:F4} on {e.TestSamples} images, test loss {e.TestLoss:F4}"
        : $"epoch {e.Epoch}/{epochs} done: train loss {e.TrainLoss:F4}";

    public static string Error(WorkerError e) => $"error: {e.Message}";

    public static string Lost(WorkerLoss loss, int epochs) =>
        $"LOST (pid {loss.Pid}): {loss.Reason}, " +
        (loss.Epoch > 0 ? $"{loss.Seconds:F1} s into the run, at epoch {loss.Epoch}/{epochs} step {loss.Step}" : "before its first step");

    public static string Done(WorkerDone d) =>
        $"done: {d.Samples:N0} samples in {d.TrainSeconds:F1} s ({(d.TrainSeconds > 0 ? d.Samples / d.TrainSeconds : 0):N0} samples/s), stall {d.StallFraction:P1}";
}
