using ParameterServer.WorkerHost.Output;
using ParameterServer.Workers.Progress;

namespace ParameterServer.WorkerHost.Launch;

/// <summary>
/// What the workers of a run have reported: each one's device, latest step, epoch ends and totals, or how it was lost;
/// and from them the per-epoch curves and the run's results. Each epoch end is timed from the first worker's start, so
/// that a run's results say how long it took to reach an accuracy.
/// </summary>
internal sealed class ProgressBoard
{
    private readonly WorkerState[] _workers;
    private readonly TimeProvider _time;
    private long? _firstStart;

    public ProgressBoard(int workers, int epochs, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _workers = new WorkerState[workers];
        for (var w = 0; w < workers; w++)
            _workers[w] = new WorkerState();
        Epochs = epochs;
    }

    public int Workers => _workers.Length;

    public int Epochs { get; }

    public WorkerStarted? Started(int worker) => _workers[worker].Started;

    public StepProgress? LastStep(int worker) => _workers[worker].LastStep;

    public WorkerDone? Done(int worker) => _workers[worker].Done;

    /// <summary>The error the worker reported before it exited, if it did.</summary>
    public string? Error(int worker) => _workers[worker].Error;

    public WorkerLoss? Lost(int worker) => _workers[worker].Lost;

    public void Apply(ProgressRecord record)
    {
        var state = _workers[record.Worker];
        switch (record)
        {
            case WorkerStarted started:
                state.Started = started;
                _firstStart ??= _time.GetTimestamp();
                break;
            case StepProgress step:
                state.LastStep = step;
                break;
            case EpochEnd epoch:
                state.Epochs.Add(epoch);
                state.EpochSeconds[epoch.Epoch] = _firstStart is { } start ? _time.GetElapsedTime(start).TotalSeconds : 0;
                break;
            case WorkerDone done:
                state.Done = done;
                break;
            case WorkerError error:
                state.Error = error.Message;
                break;
        }
    }

    /// <summary>Records that <paramref name="worker"/>'s process (<paramref name="pid"/>) ended before it was done, and how far it had got.</summary>
    public WorkerLoss Lose(int worker, int pid, int exitCode, string reason)
    {
        var state = _workers[worker];
        var seconds = _firstStart is { } start ? _time.GetElapsedTime(start).TotalSeconds : 0;
        state.Lost = new WorkerLoss(pid, exitCode, reason, _time.GetUtcNow(), seconds, state.LastStep?.Epoch ?? 0, state.LastStep?.Step ?? 0, state.Epochs.Count);
        return state.Lost;
    }

    /// <summary>
    /// Per epoch that any worker finished (from the first, or from the one a resumed job went on in): the mean of the
    /// workers' training losses (equal partitions, so equal weights) and the mean test accuracy and loss of the workers
    /// that evaluated, with the fewest test images any of them evaluated on; and the seconds from the first worker's
    /// start to the last of these epoch ends.
    /// </summary>
    public IReadOnlyList<EpochPoint> Curve()
    {
        var points = new List<EpochPoint>();
        foreach (var epoch in _workers.SelectMany(w => w.Epochs).Select(e => e.Epoch).Distinct().Order())
        {
            var ends = _workers.Select(w => w.Epochs.Find(e => e.Epoch == epoch)).OfType<EpochEnd>().ToList();
            var evaluated = ends.Where(e => e.TestAccuracy is not null).ToList();
            points.Add(new EpochPoint(
                epoch,
                ends.Average(e => e.TrainLoss),
                MeanOrNull(evaluated.Select(e => e.TestAccuracy)),
                MeanOrNull(evaluated.Select(e => e.TestLoss)),
                evaluated.Count > 0 ? evaluated.Min(e => e.TestSamples) : 0,
                _workers.Where(w => w.EpochSeconds.ContainsKey(epoch)).Max(w => w.EpochSeconds[epoch])));
        }
        return points;
    }

    /// <summary>The results of a run in which every worker reported done or was lost, and at least one reported done.</summary>
    public RunResults Results(string consistency, string deviceRequested, ulong seed, double wallSeconds)
    {
        var perWorker = new WorkerResult[Workers];
        for (var w = 0; w < Workers; w++)
        {
            var state = _workers[w];
            var device = state.Started?.Device ?? deviceRequested;
            perWorker[w] = state switch
            {
                { Done: { } done } => new WorkerResult(w, device, done.Samples, Rate(done.Samples, done.TrainSeconds), done.StallFraction),
                { Lost: { } lost } => new WorkerResult(w, device, state.LastStep?.Samples ?? 0, state.LastStep?.SamplesPerSecond ?? 0,
                    state.LastStep?.StallFraction ?? 0, lost),
                _ => throw new InvalidOperationException($"worker {w} has neither reported done nor been lost"),
            };
        }
        var finished = _workers.Where(w => w.Done is not null).ToList();
        if (finished.Count == 0)
            throw new InvalidOperationException("no worker reported done");
        var curve = Curve().ToArray();
        var lastEvaluation = Array.FindLast(curve, p => p.TestAccuracy is not null);
        return new RunResults(
            TestAccuracy: lastEvaluation?.TestAccuracy,
            TestLoss: lastEvaluation?.TestLoss,
            TestSamples: lastEvaluation?.TestSamples ?? 0,
            Epochs: Epochs,
            Workers: Workers,
            Consistency: consistency,
            Device: string.Join(",", perWorker.Select(w => w.Device).Distinct()),
            DeviceRequested: deviceRequested,
            Seed: seed,
            SamplesPerSecond: Rate(perWorker.Sum(w => w.Samples), finished.Max(w => w.Done!.TrainSeconds)),
            WallSeconds: wallSeconds,
            StallFraction: [.. perWorker.Select(w => w.StallFraction)],
            PerWorker: perWorker,
            Curves: curve);
    }

    private static double? MeanOrNull(IEnumerable<double?> values)
    {
        var present = values.OfType<double>().ToList();
        return present.Count > 0 ? present.Average() : null;
    }

    private static double Rate(long samples, double seconds) => seconds > 0 ? samples / seconds : 0;

    private sealed class WorkerState
    {
        public WorkerStarted? Started { get; set; }

        public StepProgress? LastStep { get; set; }

        public List<EpochEnd> Epochs { get; } = [];

        /// <summary>When each epoch's end arrived, in seconds from the first worker's start.</summary>
        public Dictionary<int, double> EpochSeconds { get; } = [];

        public WorkerDone? Done { get; set; }

        public string? Error { get; set; }

        public WorkerLoss? Lost { get; set; }
    }
}
