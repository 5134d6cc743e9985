using System.Diagnostics;
using ParameterServer.Workers.Data;
using ParameterServer.Workers.Models;
using ParameterServer.Workers.Progress;

namespace ParameterServer.Workers.Training;

/// <summary>
/// The training loop of one worker, by the job's clock: clock c (1-based) is step (c - 1) mod S + 1 of epoch
/// (c - 1) / S + 1, S steps per epoch, for every data partition. At each clock from the store's start clock to the
/// last, it trains one step of each partition the job gives it (<see cref="IParameterStore.Assignment"/>, read at the
/// start of the clock) that its earlier holders had not trained through that clock: a worker holding two partitions
/// trains two batches per clock, one holding none only keeps the clock. Each step's forward and backward pass runs on
/// the device between <see cref="IParameterStore.BeforeClockAsync"/> and <see cref="IParameterStore.EndClockAsync"/>.
/// It writes progress records and, after each epoch, evaluates on the test set from freshly synchronized parameters
/// (after the last one with every worker's updates). The same loop trains through the parameter server and
/// standalone; only the <see cref="IParameterStore"/> differs.
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
    // The partitions this worker has trained or holds, built when the job first gives each one.
    private readonly Dictionary<int, PartitionBatches> _partitions = [];

    /// <param name="model">The model; its parameter tables are the ones <paramref name="store"/> serves.</param>
    /// <param name="store">Where parameters come from, gradients go, and which partitions to train.</param>
    /// <param name="train">The whole training set; this worker trains the partitions the job gives it.</param>
    /// <param name="test">The test set, needed when <see cref="TrainingOptions.Evaluate"/>.</param>
    /// <param name="normalization">The pixel normalization of both sets.</param>
    /// <param name="options">Worker index, partitions, batch size, epochs, seed.</param>
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
        var steps = o.StepsPerEpoch(_train.Count);
        var lastClock = (long)steps * o.Epochs;
        var inputs = new float[o.BatchSize * _train.PixelsPerImage];
        var labels = new int[o.BatchSize];
        using var deviceInputs = device.Allocate<float>(inputs.Length);
        using var deviceLabels = device.Allocate<int>(labels.Length);
        using var evaluator = o.Evaluate ? new Evaluator(_model, _test!, _normalization) : null;

        await _store.StartAsync(ct);
        var assignment = _store.Assignment;
        if (assignment.Partitions != o.Partitions)
            throw new InvalidOperationException($"the job cuts the training set into {assignment.Partitions} partitions; this worker was set up for {o.Partitions}");
        _progress?.Write(new WorkerStarted(o.Worker, device.Name.ToString(), assignment.Held.Sum(p => Batches(p.Index).Samples)));
        var epochs = new List<EpochSummary>(o.Epochs);
        long samples = 0;
        TimeSpan stepTime = TimeSpan.Zero, waited = TimeSpan.Zero;
        long epochSamples = 0;
        TimeSpan epochStepTime = TimeSpan.Zero, epochWaited = TimeSpan.Zero;
        double lossSum = 0, loss = double.NaN;
        for (var clock = _store.StartClock + 1; clock <= lastClock; clock++)
        {
            ct.ThrowIfCancellationRequested();
            var epoch = (int)((clock - 1) / steps) + 1;
            var step = (int)((clock - 1) % steps) + 1;
            var started = Stopwatch.GetTimestamp();
            var waitedBefore = _store.Waited;
            var waitedForClock = false;
            foreach (var held in _store.Assignment.Held)
            {
                if (clock <= held.TrainedThrough)
                    continue;
                var rows = Batches(held.Index).Fill(epoch - 1, step - 1, inputs, labels);
                device.CopyToDevice<float>(inputs.AsSpan(0, rows * _train.PixelsPerImage), deviceInputs);
                device.CopyToDevice<int>(labels.AsSpan(0, rows), deviceLabels);
                // The first batch loads while the clock's parameters are still on their way.
                if (!waitedForClock)
                {
                    await _store.BeforeClockAsync(ct);
                    waitedForClock = true;
                }
                _model.ComputeGradients(deviceInputs, deviceLabels, rows);
                await _store.AfterStepAsync(held.Index, ct);
                loss = _model.Loss.MeanLoss();
                epochSamples += rows;
                lossSum += loss * rows;
            }
            // A clock without a step still waits its turn, so the worker stays in step with its peers.
            if (!waitedForClock)
                await _store.BeforeClockAsync(ct);
            await _store.EndClockAsync(ct);

            epochStepTime += Stopwatch.GetElapsedTime(started);
            epochWaited += _store.Waited - waitedBefore;
            if (step % o.ProgressEvery == 0 || step == steps)
                _progress?.Write(new StepProgress(o.Worker, epoch, step, steps, loss, epochSamples / epochStepTime.TotalSeconds, epochWaited / epochStepTime));
            if (step < steps)
                continue;

            samples += epochSamples;
            stepTime += epochStepTime;
            waited += epochWaited;
            double? accuracy = null, testLoss = null;
            if (evaluator is not null)
            {
                await _store.SynchronizeAsync(everyWorker: epoch == o.Epochs, ct);
                (accuracy, testLoss) = evaluator.Run(_model);
            }
            // An epoch in which this worker trained nothing (it held no partition) has no loss of its own to report.
            if (epochSamples > 0 || evaluator is not null)
            {
                var summary = new EpochSummary(epoch, lossSum / epochSamples, accuracy, testLoss);
                epochs.Add(summary);
                _progress?.Write(new EpochEnd(o.Worker, epoch, summary.TrainLoss, accuracy, testLoss, evaluator?.Samples ?? 0));
            }
            (epochSamples, epochStepTime, epochWaited, lossSum) = (0, TimeSpan.Zero, TimeSpan.Zero, 0);
        }
        await _store.FinishAsync(ct);

        var result = new TrainingSummary(samples, stepTime, waited, epochs);
        _progress?.Write(new WorkerDone(o.Worker, samples, result.StepTime.TotalSeconds, result.StallFraction));
        return result;
    }

    private PartitionBatches Batches(int index)
    {
        if (!_partitions.TryGetValue(index, out var batches))
        {
            var partition = Partition.Create(_train.Count, _options.Partitions, index, _options.Seed);
            _partitions[index] = batches = new PartitionBatches(partition, _train, _normalization, _options.BatchSize);
        }
        return batches;
    }
}
