using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Kernels.Devices;
using ParameterServer.Workers.Cache;
using ParameterServer.Workers.Models;

namespace ParameterServer.Workers.Training;

/// <summary>
/// The GeePS worker: a <see cref="ParameterCache"/> on the device and a background chain that pushes each step's
/// gradients (the clock reported once every shard acknowledged the clock's pushes) and pulls changed shards while the
/// training loop goes on, as the <see cref="StalenessGate"/> allows. The chain runs its operations one after another in
/// the order the loop issues them, so clocks are reported in order and a pull never overlaps a copy into the device.
/// Clock c + 1 (1-based) has one step per data partition the worker trains at it, each pushed as clock c + 1 under
/// its own contributor id, "{worker}.p{partition}", so that a BSP shard averages over partitions, whoever trains them;
/// the clock report's reply carries the worker's partitions (<see cref="Assignment"/>), and a wait for the minimum clock
/// that lasted half a lease (most likely ended by a peer's expiry) asks for them at once. What the loop waits for
/// before clock c + 1 is the pull issued for it:
/// <list type="bullet">
/// <item>BSP: push c, report c, wait for the job's minimum clock c, pull. Nothing to overlap but the next batch's
/// loading: every step waits for the slowest worker's push and the pull.</item>
/// <item>SSP (s &gt;= 1) and async: the pull for step c + 1 is issued before step c computes, behind push c - 1, so
/// push c - 1, its report and the pull run while step c computes.</item>
/// </list>
/// Time the loop spends waiting on the chain is <see cref="Waited"/>. A worker the job dropped and took back
/// (<see cref="JobMembership"/>) goes on from the clock its peers reached without it: <see cref="BeforeClockAsync"/>
/// moves <see cref="Clock"/> there, and the loop asks for the next clock again.
/// Example: <c>await using var store = new WorkerPipeline(model.ForWorker("worker-0"), mlp.Parameters, device, expectedWorkers: 2, logger);</c>
/// </summary>
public sealed class WorkerPipeline : IParameterStore
{
    /// <summary>How long a worker waits for its peers to join a new job before it starts alone.</summary>
    public static readonly TimeSpan JoinWait = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan _joinPoll = TimeSpan.FromMilliseconds(50);
    // One WaitForClock call; a longer wait is several calls, each logged and each after a repeated report of this
    // worker's clock, so a stuck job shows in the log and one that lost the report recovers. Below the client's
    // response timeout (30 s by default).
    private static readonly TimeSpan _clockWait = TimeSpan.FromSeconds(10);

    private readonly ModelHandle _worker;
    private readonly StalenessGate _gate;
    private readonly int _expectedWorkers;
    private readonly ILogger _logger;
    // The push that last used each gradient staging slot: a slot is refilled only once its push has completed.
    private readonly Task?[] _pushes = new Task?[ParameterCache.GradientSlots];
    // The handle each partition's gradients are pushed under.
    private readonly Dictionary<int, ModelHandle> _contributors = [];
    private JobMembership? _membership;
    private CancellationToken _ct;
    private Task _chain = Task.CompletedTask;
    // The pull the next step waits for, when it is already issued.
    private Task? _nextPull;
    // Clocks finished: the job's clock when this worker joined plus the clocks ended since.
    private long _done;
    // The last clock reported to the job (its pushes acknowledged); the job's clock for this worker at join.
    private long _reported;
    // Steps handed over: consecutive steps use the gradient slots in turn.
    private long _steps;
    private long _waitedTicks;

    /// <param name="worker">The model, as the handle of this worker (<see cref="ModelHandle.ForWorker"/>).</param>
    /// <param name="tables">The layers' parameters; each is the server table of its name.</param>
    /// <param name="device">The device the tables live on.</param>
    /// <param name="expectedWorkers">Workers a new job waits for before its first step, so that BSP starts together.</param>
    /// <param name="logger">Where membership and waits are logged.</param>
    /// <param name="encoding">How values and gradients travel.</param>
    public WorkerPipeline(ModelHandle worker, IReadOnlyList<ParameterTable> tables, IDevice device, int expectedWorkers, ILogger logger,
        TensorEncoding encoding = TensorEncoding.Fp32)
    {
        ArgumentException.ThrowIfNullOrEmpty(worker.WorkerId, nameof(worker));
        ArgumentOutOfRangeException.ThrowIfLessThan(expectedWorkers, 1);
        _worker = worker;
        _gate = new StalenessGate(worker.Spec.Consistency);
        _expectedWorkers = expectedWorkers;
        _logger = logger;
        Cache = new ParameterCache(worker, tables, device, encoding);
    }

    public ParameterCache Cache { get; }

    public long StartClock => _membership?.StartClock ?? throw new InvalidOperationException("the pipeline has not started");

    /// <summary>Clocks this worker has finished: <see cref="StartClock"/> plus the clocks ended since, or the job's clock when it took this worker back.</summary>
    public long Clock => _done;

    /// <summary>How many times the job dropped this worker (silent for longer than its lease) and took it back.</summary>
    public int Rejoins => _membership?.Rejoins ?? 0;

    public TimeSpan Waited => Stopwatch.GetElapsedTime(0, _waitedTicks);

    public WorkerAssignment Assignment => _membership?.Assignment ?? throw new InvalidOperationException("the pipeline has not started");

    public async Task StartAsync(CancellationToken ct)
    {
        if (_membership is not null) throw new InvalidOperationException("the pipeline has already started");
        _ct = ct;
        _membership = await JobMembership.JoinAsync(_worker, _logger, ct);
        _done = _reported = _membership.StartClock;
        _logger.LogInformation("Worker {Worker} joined model {Model} ({Consistency}) at clock {Clock}, lease {Lease}",
            _worker.WorkerId, _worker.Name, _worker.Spec.Consistency, _done, _membership.Lease);
        if (_done == 0)
        {
            await WaitForPeersAsync(ct);
            // Peers that joined after this worker took partitions from it.
            await _membership.RefreshAsync(ct);
        }
        _nextPull = Enqueue(PullFor(_gate.RequiredClock(_done)));
    }

    public async ValueTask BeforeClockAsync(CancellationToken ct)
    {
        await WaitOn(_nextPull ?? Enqueue(PullFor(_gate.RequiredClock(_done))), ct);
        if (_membership!.JoinedAt > _done)
        {
            // Taken back after the job dropped this worker: its peers trained on to the job's clock, where it goes on.
            _logger.LogInformation("Worker {Worker} goes on from clock {Clock} (it had finished {Done})", _worker.WorkerId, _membership.JoinedAt, _done);
            _done = _membership.JoinedAt;
            _nextPull = null;
            return;
        }
        Cache.CopyToDevice();
        _nextPull = _gate.PullsAhead ? Enqueue(PullFor(_gate.RequiredClock(_done + 1))) : null;
    }

    public async ValueTask AfterStepAsync(int partition, CancellationToken ct)
    {
        var slot = (int)(_steps % _pushes.Length);
        if (_pushes[slot] is { } previous) await WaitOn(previous, ct);
        Cache.StageGradients(slot);
        _steps++;
        _pushes[slot] = Enqueue(PushFor(slot, _done + 1, Contributor(partition)));
    }

    public ValueTask EndClockAsync(CancellationToken ct)
    {
        var clock = ++_done;
        Enqueue(ReportFor(clock));
        if (!_gate.PullsAhead) _nextPull = Enqueue(PullFor(_gate.RequiredClock(clock)));
        return ValueTask.CompletedTask;
    }

    public async Task SynchronizeAsync(bool everyWorker, CancellationToken ct)
    {
        var pull = Enqueue(PullFor(everyWorker ? _done : _gate.RequiredClock(_done)));
        await WaitOn(pull, ct);
        Cache.CopyToDevice();
        _nextPull = null;
    }

    public async Task FinishAsync(CancellationToken ct)
    {
        await WaitOn(_chain, ct);
        if (_membership is not null) await _membership.LeaveAsync(ct);
        _logger.LogInformation("Worker {Worker} left model {Model} at clock {Clock}", _worker.WorkerId, _worker.Name, _done);
    }

    public async ValueTask DisposeAsync()
    {
        // A failed run leaves the job (its peers stop waiting for it) and the pushes it issued to finish or fail on their own.
        if (_membership is not null) await _membership.DisposeAsync();
        Cache.Dispose();
    }

    private async Task WaitForPeersAsync(CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var joined = (await _worker.GetStatusAsync(ct)).Workers.Count;
            if (joined >= _expectedWorkers) return;
            if (deadline.Elapsed > JoinWait)
            {
                _logger.LogWarning("Only {Joined} of {Expected} workers joined within {Wait}; starting without the others", joined, _expectedWorkers, JoinWait);
                return;
            }
            await Task.Delay(_joinPoll, ct);
        }
    }

    private ModelHandle Contributor(int partition)
    {
        if (!_contributors.TryGetValue(partition, out var contributor))
            _contributors[partition] = contributor = _worker.ForWorker($"{_worker.WorkerId}.p{partition}");
        return contributor;
    }

    private Func<Task> PushFor(int slot, long clock, ModelHandle contributor) => () => Cache.PushAsync(slot, clock, contributor, _ct);

    // Behind the clock's pushes in the chain: reported once they are acknowledged.
    private Func<Task> ReportFor(long clock) => async () =>
    {
        await _membership!.ReportClockAsync(clock, _ct);
        _reported = clock;
    };

    private Func<Task> PullFor(long? requiredClock) => async () =>
    {
        if (requiredClock is { } required)
        {
            var started = Stopwatch.GetTimestamp();
            while (await _worker.WaitForClockAsync(required, _clockWait, _ct) < required)
            {
                _logger.LogInformation("Worker {Worker} still waits for every worker to reach clock {Clock}; reports its clock {Reported} again",
                    _worker.WorkerId, required, _reported);
                // A job whose silo was lost came back from its last saved progress, which may predate this worker's
                // latest report: then every worker waits for this one. A repeated report changes nothing otherwise.
                await _membership!.ReportClockAsync(_reported, _ct);
            }
            // A wait of half a lease most likely ended with a peer's lease, whose partitions may now be this worker's:
            // ask now rather than at the next clock report, so the next clock trains them.
            if (Stopwatch.GetElapsedTime(started) > _membership!.Lease / 2)
                await _membership.RefreshAsync(_ct);
        }
        await Cache.PullAsync(_ct);
    };

    /// <summary>Appends an operation to the chain; it starts on the thread pool once every earlier one has completed.</summary>
    private Task Enqueue(Func<Task> operation)
    {
        _chain = RunAfter(_chain, operation);
        return _chain;
    }

    private static async Task RunAfter(Task previous, Func<Task> operation)
    {
        // Always yields, so even an operation issued onto an idle chain runs beside the training loop, not in it.
        await previous.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        await operation();
    }

    private async ValueTask WaitOn(Task task, CancellationToken ct)
    {
        if (task.IsCompleted)
        {
            await task;
            return;
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            await task.WaitAsync(ct);
        }
        finally
        {
            _waitedTicks += Stopwatch.GetTimestamp() - started;
        }
    }
}
