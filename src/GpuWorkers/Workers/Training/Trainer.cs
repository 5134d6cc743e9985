using System.Diagnostics;
using ParameterServer.Kernels.Devices;
using ParameterServer.Workers.Data;
using ParameterServer.Workers.Models;
using ParameterServer.Workers.Progress;

namespace ParameterServer.Workers.Training;

/// <summary>
/// The training loop of one worker, by the job's clock: clock c (1-based) is step (c - 1) mod S + 1 of epoch
/// (c - 1) / S + 1, S steps per epoch, for every data partition. At each clock from the store's clock to the last, it
/// trains one step of each partition the job gives it (<see cref="IParameterStore.Assignment"/>, read once
/// the clock's parameters are there) that its earlier holders had not trained through that clock: a worker holding
/// two partitions trains two batches per clock, one holding none only keeps the clock. The steps' forward and
/// backward passes run on the device between <see cref="IParameterStore.BeforeClockAsync"/> and
/// <see cref="IParameterStore.EndClockAsync"/>. It writes progress records and evaluates on the test set from freshly
/// synchronized parameters: after each epoch the job names it the evaluator for (in the store's
/// <see cref="IParameterStore.Assignment"/>), and after the last one, with every worker's updates, in any case. A
/// worker the job dropped and took back goes on from the job's clock (<see cref="IParameterStore.Clock"/>). The same
/// loop trains through the parameter server and standalone; only the <see cref="IParameterStore"/> differs.
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
        using var batch = new BatchBuffers(device, o.BatchSize, _train.PixelsPerImage);
        using var evaluator = o.Evaluate ? new Evaluator(_model, _test!, _normalization) : null;

        await _store.StartAsync(ct);
        var assignment = _store.Assignment;
        if (assignment.Partitions != o.Partitions)
            throw new InvalidOperationException($"the job cuts the training set into {assignment.Partitions} partitions; this worker was set up for {o.Partitions}");
        _progress?.Write(new WorkerStarted(o.Worker, device.Name.ToString(), assignment.Held.Sum(p => Batches(p.Index).Samples)));
        var epochs = new List<EpochSummary>(o.Epochs);
        Tally run = default, current = default;
        var currentEpoch = 0;
        double loss = double.NaN;
        for (var clock = _store.Clock + 1; clock <= lastClock; clock = _store.Clock + 1)
        {
            ct.ThrowIfCancellationRequested();
            var epoch = (int)((clock - 1) / steps) + 1;
            var step = (int)((clock - 1) % steps) + 1;
            if (epoch != currentEpoch)
            {
                // The epoch before ended here, or, for a worker the job took back further on, without it.
                run.Add(current);
                (current, currentEpoch) = (default, epoch);
            }
            var started = Stopwatch.GetTimestamp();
            var waitedBefore = _store.Waited;
            // The first batch loads while the clock's parameters are on their way; the wait may bring a new assignment
            // (a peer's lease ran out), so the partitions to train are read after it. A clock without a step still
            // waits its turn, so the worker stays in step with its peers.
            if (FirstTrainable(clock) is { } first)
                batch.Load(Batches(first), clock, epoch, step);
            await _store.BeforeClockAsync(ct);
            if (_store.Clock + 1 != clock)
                continue;
            foreach (var held in _store.Assignment.Held)
            {
                if (clock <= held.TrainedThrough)
                    continue;
                batch.Load(Batches(held.Index), clock, epoch, step);
                _model.ComputeGradients(batch.Inputs, batch.Labels, batch.Rows);
                await _store.AfterStepAsync(held.Index, ct);
                loss = _model.Loss.MeanLoss();
                current.Samples += batch.Rows;
                current.LossSum += loss * batch.Rows;
            }
            await _store.EndClockAsync(ct);

            current.StepTime += Stopwatch.GetElapsedTime(started);
            current.Waited += _store.Waited - waitedBefore;
            if (step % o.ProgressEvery == 0 || step == steps)
                _progress?.Write(new StepProgress(o.Worker, epoch, step, steps, loss, current.Samples / current.StepTime.TotalSeconds,
                    current.Waited / current.StepTime, run.Samples + current.Samples));
            if (step < steps)
                continue;

            // The job's evaluator evaluates each epoch; every worker evaluates the last, so that the run's final accuracy
            // does not depend on any one worker living to the end.
            double? accuracy = null, testLoss = null;
            if (evaluator is not null && (epoch == o.Epochs || _store.Assignment.Evaluates))
            {
                await _store.SynchronizeAsync(everyWorker: epoch == o.Epochs, ct);
                (accuracy, testLoss) = evaluator.Run(_model);
            }
            // An epoch in which this worker trained nothing (it held no partition) has no loss of its own to report.
            if (current.Samples > 0 || accuracy is not null)
            {
                var summary = new EpochSummary(epoch, current.LossSum / current.Samples, accuracy, testLoss);
                epochs.Add(summary);
                _progress?.Write(new EpochEnd(o.Worker, epoch, summary.TrainLoss, accuracy, testLoss, accuracy is null ? 0 : evaluator!.Samples));
            }
        }
        run.Add(current);
        await _store.FinishAsync(ct);

        var result = new TrainingSummary(run.Samples, run.StepTime, run.Waited, epochs);
        _progress?.Write(new WorkerDone(o.Worker, run.Samples, result.StepTime.TotalSeconds, result.StallFraction));
        return result;
    }

    private int? FirstTrainable(long clock)
    {
        foreach (var held in _store.Assignment.Held)
        {
            if (clock > held.TrainedThrough)
                return held.Index;
        }
        return null;
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

    /// <summary>Samples trained, their loss summed, time in steps and time of it waiting on the store: of an epoch or a run.</summary>
    private struct Tally
    {
        public long Samples;
        public double LossSum;
        public TimeSpan StepTime;
        public TimeSpan Waited;

        public void Add(Tally other)
        {
            Samples += other.Samples;
            LossSum += other.LossSum;
            StepTime += other.StepTime;
            Waited += other.Waited;
        }
    }

    /// <summary>One batch on the device (and its host copy), and which partition's batch of which clock it is.</summary>
    private sealed class BatchBuffers(IDevice device, int batchSize, int pixels) : IDisposable
    {
        private readonly float[] _inputs = new float[batchSize * pixels];
        private readonly int[] _labels = new int[batchSize];
        private (int Partition, long Clock)? _loaded;

        public DeviceBuffer<float> Inputs { get; } = device.Allocate<float>((long)batchSize * pixels);

        public DeviceBuffer<int> Labels { get; } = device.Allocate<int>(batchSize);

        public int Rows { get; private set; }

        /// <summary>Loads <paramref name="batches"/>' batch of <paramref name="clock"/> (1-based epoch and step), unless it is the one loaded.</summary>
        public void Load(PartitionBatches batches, long clock, int epoch, int step)
        {
            if (_loaded == (batches.Index, clock))
                return;
            Rows = batches.Fill(epoch - 1, step - 1, _inputs, _labels);
            device.CopyToDevice<float>(_inputs.AsSpan(0, Rows * pixels), Inputs);
            device.CopyToDevice<int>(_labels.AsSpan(0, Rows), Labels);
            _loaded = (batches.Index, clock);
        }

        public void Dispose()
        {
            Inputs.Dispose();
            Labels.Dispose();
        }
    }
}
