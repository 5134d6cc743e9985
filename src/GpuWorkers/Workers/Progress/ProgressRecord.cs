using System.Text.Json.Serialization;

namespace ParameterServer.Workers.Progress;

/// <summary>
/// What a worker process reports to its launcher, one JSON line each (see <see cref="ProgressProtocol"/>).
/// Workers count from 0, epochs from 1. The "type" field tells the records apart.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(WorkerStarted), "started")]
[JsonDerivedType(typeof(StepProgress), "step")]
[JsonDerivedType(typeof(EpochEnd), "epoch")]
[JsonDerivedType(typeof(WorkerDone), "done")]
[JsonDerivedType(typeof(WorkerError), "error")]
public abstract record ProgressRecord([property: JsonPropertyOrder(-1)] int Worker);

/// <summary>The worker has joined the job: the device it resolved ("auto" becomes "cpu" or "cuda:N") and its partition's size.</summary>
public sealed record WorkerStarted(int Worker, string Device, int Samples) : ProgressRecord(Worker);

/// <summary>
/// A step finished: <paramref name="Step"/> of <paramref name="StepsInEpoch"/> in <paramref name="Epoch"/>.
/// <paramref name="Loss"/> is this batch's mean loss; samples/s and the stall fraction (time waiting on the
/// parameter server over step time) are averaged since the epoch began. <paramref name="Samples"/> counts every sample
/// the worker has trained since it started, so a launcher that loses the worker knows how far it got.
/// </summary>
public sealed record StepProgress(int Worker, int Epoch, int Step, int StepsInEpoch, double Loss, double SamplesPerSecond, double StallFraction,
    long Samples = 0) : ProgressRecord(Worker);

/// <summary>
/// An epoch finished: the mean training loss over its batches and, when this worker evaluated the model,
/// the accuracy and mean loss on <paramref name="TestSamples"/> test images (0 and nulls when it did not).
/// </summary>
public sealed record EpochEnd(int Worker, int Epoch, double TrainLoss, double? TestAccuracy, double? TestLoss, int TestSamples)
    : ProgressRecord(Worker);

/// <summary>Training finished: samples trained, seconds spent in training steps, and the stall fraction over the whole run.</summary>
public sealed record WorkerDone(int Worker, long Samples, double TrainSeconds, double StallFraction) : ProgressRecord(Worker);

/// <summary>The worker failed and is about to exit with a non-zero code.</summary>
public sealed record WorkerError(int Worker, string Message) : ProgressRecord(Worker);
