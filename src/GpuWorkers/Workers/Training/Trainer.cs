using System.Diagnostics;
using ParameterServer.Workers.Data;
using ParameterServer.Workers.Models;
using ParameterServer.Workers.Progress;

namespace ParameterServer.Workers.Training;

/// <summary>
/// The training loop of one worker: epochs over its partition of the training set, each step's forward and backward
/// pass on the device between <see cref="IParameterStore.BeforeStepAsync"/> and <see cref="IParameterStore.AfterStepAsync"/>,
/// progress records, and an evaluation on the test set after each epoch from freshly synchronized parameters (after
/// the last one with every worker's updates). A worker that joins a job at clock c (<see cref="IParameterStore.StartClock"/>:
/// the cluster was restarted, or the worker) trains from step c + 1 on, with the batches the uninterrupted run would
/// have had there. The same loop trains through the parameter server and standalone; only the
/// <see cref="IParameterStore"/> differs.
/// Example: <c>var summary = await new Trainer(mlp, store, train, test, norm, options, progress).RunAsync(ct);</c>
/// </summary>
public sealed class Trainer
{
    private readonly Mlp _model;
    private readonly IParameterStore _store;
    private readonly LabeledImages _train;
    private readonly LabeledImages? _test;
    private readonly Normalization _normalization;
    private readonly TrainingOptions _options;
    private readonly ProgressWriter? _progress;

    /// <param name="model">The model; its parameter tables are the ones <paramref name="store"/> serves.</param>
    /// <param name="store">Where parameters come from and gradients go.</param>
    /// <param name="train">The whole training set; this worker trains its partition.</param>
    /// <param name="test">The test set, needed when <see cref="TrainingOptions.Evaluate"/>.</param>
    /// <param name="normalization">The pixel normalization of both sets.</param>
    /// <param name="options">Worker index, batch size, epochs, seed.</param>
    /// <param name="progress">Where progress records go; null for none.</param>
    public Trainer(Mlp model, IParameterStore store, LabeledImages train, LabeledImages? test, Normalization normalization,
        TrainingOptions options, ProgressWriter? progress)
    {
        options.Validate();
        if (options.BatchSize > model.MaxBatch)
            throw new ArgumentException($"batch size {options.BatchSize} exceeds the model's largest batch {model.MaxBatch}");
        if (options.Evaluate && test is null)
            throw new ArgumentException("evaluation needs a test set", nameof(test));
        _model = model;
        _store = store;
        _train = train;
        _test = test;
        _normalization = normalization;
        _options = options;
        _progress = progress;
    }

    public async Task<TrainingSummary> RunAsync(CancellationToken ct)
    {
        var o = _options;
        var device = _model.Device;
        var partition = Partition.Create(_train.Count, o.Workers, o.Worker, o.Seed);
        var steps = o.StepsPerEpoch(_train.Count);
        var order = new int[partition.Count];
        var batches = new BatchIterator(_train, _normalization, o.BatchSize, order);
        var inputs = new float[batches.InputLength];
        var labels = new int[o.BatchSize];
        using var deviceInputs = device.Allocate<float>(inputs.Length);
        using var deviceLabels = device.Allocate<int>(labels.Length);
        using var evaluator = o.Evaluate ? new Evaluator(_model, _test!, _normalization) : null;

        await _store.StartAsync(ct);
        // A job that has done clocks already (a restarted cluster, a worker started again) goes on from there: the
        // clock's epoch, the batch after it, in the order that epoch always has.
        var (firstEpoch, firstStep) = ResumePoint(_store.StartClock, steps, o.Epochs);
        _progress?.Write(new WorkerStarted(o.Worker, device.Name.ToString(), partition.Count));
        var epochs = new List<EpochSummary>(o.Epochs);
        long samples = 0;
        TimeSpan stepTime = TimeSpan.Zero, waited = TimeSpan.Zero;
        for (var epoch = firstEpoch; epoch <= o.Epochs; epoch++)
        {
            partition.EpochOrder(epoch - 1, order);
            batches.Reset();
            var first = epoch == firstEpoch ? firstStep : 1;
            batches.Skip(first - 1);
            long epochSamples = 0;
            TimeSpan epochStepTime = TimeSpan.Zero, epochWaited = TimeSpan.Zero;
            var lossSum = 0.0;
            for (var step = first; step <= steps; step++)
            {
                ct.ThrowIfCancellationRequested();
                var started = Stopwatch.GetTimestamp();
                var waitedBefore = _store.Waited;
                var rows = batches.Next(inputs, labels);
                device.CopyToDevice<float>(inputs.AsSpan(0, rows * _train.PixelsPerImage), deviceInputs);
                device.CopyToDevice<int>(labels.AsSpan(0, rows), deviceLabels);
                await _store.BeforeStepAsync(ct);
                _model.ComputeGradients(deviceInputs, deviceLabels, rows);
                await _store.AfterStepAsync(ct);
                var loss = _model.Loss.MeanLoss();

                epochStepTime += Stopwatch.GetElapsedTime(started);
                epochWaited += _store.Waited - waitedBefore;
                epochSamples += rows;
                lossSum += loss * rows;
                if (step % o.ProgressEvery == 0 || step == steps)
                    _progress?.Write(new StepProgress(o.Worker, epoch, step, steps, loss, epochSamples / epochStepTime.TotalSeconds, epochWaited / epochStepTime));
            }
            samples += epochSamples;
            stepTime += epochStepTime;
            waited += epochWaited;

            double? accuracy = null, testLoss = null;
            if (evaluator is not null)
            {
                await _store.SynchronizeAsync(everyWorker: epoch == o.Epochs, ct);
                (accuracy, testLoss) = evaluator.Run(_model);
            }
            var summary = new EpochSummary(epoch, lossSum / epochSamples, accuracy, testLoss);
            epochs.Add(summary);
            _progress?.Write(new EpochEnd(o.Worker, epoch, summary.TrainLoss, accuracy, testLoss, evaluator?.Samples ?? 0));
        }
        await _store.FinishAsync(ct);

        var result = new TrainingSummary(samples, stepTime, waited, epochs);
        _progress?.Write(new WorkerDone(o.Worker, samples, result.StepTime.TotalSeconds, result.StallFraction));
        return result;
    }

    /// <summary>
    /// The epoch and step (both from 1) after <paramref name="clock"/> finished steps of <paramref name="steps"/> per
    /// epoch; past the last epoch when the job has done them all.
    /// </summary>
    internal static (int Epoch, int Step) ResumePoint(long clock, int steps, int epochs)
    {
        if (clock < 0 || clock > (long)steps * epochs)
            throw new InvalidOperationException($"the job is at clock {clock}, outside this run's {epochs} epochs of {steps} steps: was it started with other options?");
        return ((int)(clock / steps) + 1, (int)(clock % steps) + 1);
    }
}
