namespace ParameterServer.Workers.Training;

/// <summary>One epoch of a worker: the mean training loss over its batches and, when it evaluated, test accuracy and loss.</summary>
public sealed record EpochSummary(int Epoch, double TrainLoss, double? TestAccuracy, double? TestLoss);

/// <summary>
/// What a worker's training run did: samples trained, the time its training steps took (evaluations excluded), the
/// part of it spent waiting on the parameter server, and its epochs.
/// </summary>
public sealed record TrainingSummary(long Samples, TimeSpan StepTime, TimeSpan Waited, IReadOnlyList<EpochSummary> Epochs)
{
    public double SamplesPerSecond => Samples / StepTime.TotalSeconds;

    /// <summary>Time waiting on the parameter server over step time.</summary>
    public double StallFraction => StepTime > TimeSpan.Zero ? Waited / StepTime : 0;
}
