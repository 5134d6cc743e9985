using ParameterServer.WorkerHost.Output;
using ParameterServer.Workers.Progress;

namespace ParameterServer.WorkerHost.Launch;

/// <summary>
/// What the workers of a run have reported: each one's device, latest step, epoch ends and totals; and from
/// them the per-epoch curves and the run's results. Each epoch end is timed from the first worker's start, so that
/// a run's results say how long it took to reach an accuracy.
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
        }
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

    /// <summary>The results of a run in which every worker reported done.</summary>
    public RunResults Results(string consistency, string deviceRequested, ulong seed, double wallSeconds)
    {
        var perWorker = new WorkerResult[Workers];
        for (var w = 0; w < Workers; w++)
        {
            var done = _workers[w].Done ?? throw new InvalidOperationException($"worker {w} has not reported done");
            perWorker[w] = new WorkerResult(w, _workers[w].Started?.Device ?? deviceRequested, done.Samples, Rate(done.Samples, done.TrainSeconds), done.StallFraction);
        }
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
            SamplesPerSecond: Rate(perWorker.Sum(w => w.Samples), _workers.Max(w => w.Done!.TrainSeconds)),
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
    }
}
