using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ParameterServer.Contracts;
using ParameterServer.Grains.Hosting;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Grains.Models;

/// <summary>
/// A model (job), keyed by its name: creates the shards of its tables, tracks the workers' clocks and gates them
/// by the minimum clock. Under BSP it has every shard apply a clock's combined gradient before anyone waiting
/// for that clock goes on. It owns the job's data partitions and hands them out by the <see cref="PartitionAssignment"/>
/// policy as workers join, leave and expire. The job's progress (its workers, their clocks, the completed clock, the
/// partitions' holders) is saved when a worker joins, leaves or expires and, while clocks move, as often as the shards
/// checkpoint, so a job whose silo is lost, or a whole cluster that restarts, goes on from there: its workers stay
/// members (with a fresh lease), keep their partitions and resume at their clocks.
/// </summary>
public sealed class ModelGrain : Grain, IModelGrain
{
    private static readonly TimeSpan MinLeaseCheck = TimeSpan.FromMilliseconds(10);

    private readonly IPersistentState<ModelState> _state;
    private readonly CheckpointPolicyOptions _policy;
    private readonly ILogger<ModelGrain> _logger;
    private readonly WorkerClocks _workers = new();
    // Callers of WaitForMinClock, one completion per awaited clock.
    private readonly SortedDictionary<long, TaskCompletionSource> _waiters = [];
    private IShardGrain[] _shards = [];
    // Null for a job that assigns no data (ModelSpec.Partitions = 0).
    private PartitionAssignment? _partitions;
    // The highest minimum clock reached (under BSP: applied by every shard). Workers join at it.
    private long _completedClock;
    // Clocks moved since the progress was last saved.
    private bool _progressChanged;

    public ModelGrain([PersistentState("model", StorageNames.Checkpoints)] IPersistentState<ModelState> state, IOptions<CheckpointPolicyOptions> policy,
        ILogger<ModelGrain> logger)
    {
        _state = state;
        _policy = policy.Value;
        _logger = logger;
    }

    private ModelSpec Spec => _state.State.Spec
        ?? throw new ParameterServerException(ErrorCode.UnknownModel, $"model '{this.GetPrimaryKeyString()}' does not exist");

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (_state.State.Spec is { } spec)
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var (worker, clock) in _state.State.Workers)
                _workers.Join(worker, clock, now);
            _completedClock = _state.State.CompletedClock;
            Serve(spec);
        }
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _progressChanged ? SaveProgress() : Task.CompletedTask;

    public async Task Create(ModelSpec spec)
    {
        if (spec is null)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"create of model '{this.GetPrimaryKeyString()}' without a spec");
        spec.Validate();
        if (spec.Name != this.GetPrimaryKeyString())
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"spec of model '{spec.Name}' sent to model '{this.GetPrimaryKeyString()}'");
        var existing = _state.State.Spec;
        if (existing is not null && !existing.SameAs(spec))
            throw new ParameterServerException(ErrorCode.SpecMismatch, $"model '{spec.Name}' exists with another spec");

        // Initializing is idempotent, so creating again with the same spec also completes a create that failed halfway.
        await Task.WhenAll(ShardSetups(spec).Select(s =>
            GrainFactory.GetGrain<IShardGrain>(TableLayout.ShardKey(s.Model, s.Table.Name, s.Shard)).Initialize(s)));
        if (existing is null)
        {
            _state.State.Spec = spec;
            try
            {
                await _state.WriteStateAsync();
            }
            catch
            {
                _state.State.Spec = null;
                throw;
            }
            Serve(spec);
        }
        // The directory asks this model for its spec before listing it: that call comes back in while Create waits.
        using (RequestContext.AllowCallChainReentrancy())
            await GrainFactory.GetGrain<IModelDirectoryGrain>(0).Add(spec.Name);
    }

    public Task<ModelSpec> GetSpec() => Task.FromResult(Spec);

    public async Task<JoinReply> Join(string workerId)
    {
        var lease = Spec.WorkerLease;
        // The same rule as the client's: an id is part of every status and log line.
        Names.Validate(workerId, "worker");
        var isNew = !_workers.Contains(workerId);
        var clock = _workers.Join(workerId, _completedClock, DateTimeOffset.UtcNow);
        if (isNew)
        {
            if (_partitions?.Join(workerId, _workers.Clocks()) == true)
                _logger.LogInformation("Job {Model}: worker {Worker} joined at clock {Clock} with partitions [{Partitions}]",
                    Spec.Name, workerId, clock, string.Join(", ", _partitions.HeldBy(workerId)));
            await SaveProgress();
        }
        return new JoinReply { Clock = clock, Lease = lease, Assignment = AssignmentOf(workerId) };
    }

    public Task<WorkerAssignment> Heartbeat(string workerId)
    {
        _ = Spec;
        _workers.Heartbeat(workerId, DateTimeOffset.UtcNow);
        return Task.FromResult(AssignmentOf(workerId));
    }

    public async Task Leave(string workerId)
    {
        _ = Spec;
        if (_workers.Leave(workerId) is not { } clock) return;
        Release(workerId, clock, "left");
        await Advance();
        await SaveProgress();
    }

    public async Task<WorkerAssignment> ReportClock(string workerId, long clock)
    {
        _ = Spec;
        if (clock < 0)
            throw new ParameterServerException(ErrorCode.InvalidArgument, $"clock {clock} of worker '{workerId}' is negative");
        _workers.Report(workerId, clock, DateTimeOffset.UtcNow);
        _progressChanged = true;
        await Advance();
        return AssignmentOf(workerId);
    }

    public async Task<long> WaitForMinClock(long clock, TimeSpan timeout)
    {
        _ = Spec;
        if (timeout != Timeout.InfiniteTimeSpan && (timeout < TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue))
            throw new ParameterServerException(ErrorCode.InvalidArgument, $"timeout {timeout} is neither infinite nor between 0 and {int.MaxValue} ms");
        if (_workers.Count == 0 || clock <= _completedClock) return _completedClock;
        if (!_waiters.TryGetValue(clock, out var waiter))
            _waiters[clock] = waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A timeout is not an error: the caller gets the minimum clock reached so far and decides.
        await waiter.Task.WaitAsync(timeout)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        return _completedClock;
    }

    public Task<ModelStatus> GetStatus() => Task.FromResult(new ModelStatus
    {
        Spec = Spec,
        Workers = _partitions is { } partitions
            ? _workers.Statuses().Select(w => w with { Partitions = partitions.HeldBy(w.WorkerId) }).ToArray()
            : _workers.Statuses(),
        UnassignedPartitions = _partitions?.Unassigned() ?? [],
        MinClock = _workers.MinClock ?? _completedClock,
        MaxClock = _workers.MaxClock ?? _completedClock,
        Losses = _state.State.Losses
            .Select(l => new ShardLoss { Shard = l.Key, Restores = l.Value.Restores, LostUpdates = l.Value.LostUpdates })
            .OrderBy(l => l.Shard, StringComparer.Ordinal)
            .ToArray(),
    });

    public async Task ReportRegression(VersionRegression regression)
    {
        var spec = Spec;
        if (regression?.Shard is null)
            throw new ParameterServerException(ErrorCode.InvalidArgument, $"a regression report to model '{spec.Name}' names no shard");
        var (model, table, shard) = TableLayout.ParseShardKey(regression.Shard);
        if (model != spec.Name)
            throw new ParameterServerException(ErrorCode.InvalidArgument, $"shard {regression.Shard} is not a shard of model '{spec.Name}'");
        var tableSpec = spec.FindTable(table) ?? throw new ParameterServerException(ErrorCode.UnknownTable, $"model '{spec.Name}' has no table '{table}'");
        new TableLayout(tableSpec).ShardRange(shard);
        if (regression.Activation <= 0 || regression.RestoredVersion < 0 || regression.LastAcknowledged <= regression.RestoredVersion)
            throw new ParameterServerException(ErrorCode.InvalidArgument,
                $"regression of shard {regression.Shard} from version {regression.LastAcknowledged} to {regression.RestoredVersion} in activation {regression.Activation} is not one");

        var losses = _state.State.Losses;
        if (!losses.TryGetValue(regression.Shard, out var record))
            record = new ShardLossRecord();
        if (!record.Merge(regression))
            return;
        losses[regression.Shard] = record;
        await _state.WriteStateAsync();
    }

    public async Task<int> Checkpoint()
    {
        _ = Spec;
        await Task.WhenAll(_shards.Select(s => s.Checkpoint()));
        return _shards.Length;
    }

    private void Serve(ModelSpec spec)
    {
        var saved = _state.State;
        _partitions = spec.Partitions == 0 ? null
            : saved.PartitionHolders.Length == spec.Partitions
                ? new PartitionAssignment(saved.PartitionHolders, saved.PartitionsTrainedThrough, saved.AssignmentVersion, _workers.Clocks().Keys)
                : new PartitionAssignment(spec.Partitions);
        _shards = ShardSetups(spec)
            .Select(s => GrainFactory.GetGrain<IShardGrain>(TableLayout.ShardKey(s.Model, s.Table.Name, s.Shard)))
            .ToArray();
        var check = spec.WorkerLease / 4 > MinLeaseCheck ? spec.WorkerLease / 4 : MinLeaseCheck;
        this.RegisterGrainTimer(ExpireLeases, new GrainTimerCreationOptions(check, check));
        this.RegisterGrainTimer(() => _progressChanged ? SaveProgress() : Task.CompletedTask, new GrainTimerCreationOptions(_policy.Interval, _policy.Interval));
    }

    private async Task ExpireLeases()
    {
        var expired = _workers.Expire(DateTimeOffset.UtcNow, Spec.WorkerLease);
        foreach (var (worker, clock) in expired)
            Release(worker, clock, $"expired (no heartbeat for {Spec.WorkerLease.TotalSeconds:0.#} s)");
        // Also retries a BSP clock whose application failed.
        await Advance();
        if (expired.Count > 0) await SaveProgress();
    }

    /// <summary>Hands a departed worker's partitions on; it trained them through <paramref name="clock"/>.</summary>
    private void Release(string workerId, long clock, string why)
    {
        if (_partitions is not { } partitions)
        {
            _logger.LogInformation("Job {Model}: worker {Worker} {Why} at clock {Clock}", Spec.Name, workerId, why, clock);
            return;
        }
        var held = partitions.HeldBy(workerId);
        partitions.Release(workerId, clock, _workers.Clocks());
        _logger.LogInformation("Job {Model}: worker {Worker} {Why} at clock {Clock}; its partitions went to: {Heirs}; evaluator: {Evaluator}", Spec.Name, workerId,
            why, clock, held.Count == 0 ? "none held" : string.Join(", ", held.Select(p => $"{p} -> {partitions.Holders[p] ?? "unassigned"}")),
            partitions.Evaluator ?? "none");
    }

    private WorkerAssignment AssignmentOf(string workerId) => _partitions?.Of(workerId) ?? WorkerAssignment.None;

    private async Task SaveProgress()
    {
        var state = _state.State;
        state.Workers = _workers.Statuses().ToDictionary(w => w.WorkerId, w => w.Clock, StringComparer.Ordinal);
        state.CompletedClock = _completedClock;
        if (_partitions is { } partitions)
        {
            state.PartitionHolders = [.. partitions.Holders];
            state.PartitionsTrainedThrough = [.. partitions.TrainedThrough];
            state.AssignmentVersion = partitions.Version;
        }
        _progressChanged = false;
        try
        {
            await _state.WriteStateAsync();
        }
        catch
        {
            _progressChanged = true;
            throw;
        }
    }

    /// <summary>
    /// Moves the completed clock up to the minimum over the live workers (under BSP once every shard has applied
    /// it) and releases the waiters it satisfies. With no live worker nobody waits.
    /// </summary>
    private async Task Advance()
    {
        if (_workers.MinClock is { } min && min > _completedClock)
        {
            if (Spec.Consistency.Mode == ConsistencyMode.Bsp)
                await Task.WhenAll(_shards.Select(s => s.ApplyClock(min)));
            _completedClock = min;
        }
        while (_waiters.Count > 0)
        {
            var (clock, waiter) = _waiters.First();
            if (_workers.Count > 0 && clock > _completedClock) break;
            _waiters.Remove(clock);
            waiter.SetResult();
        }
    }

    private static IEnumerable<ShardSetup> ShardSetups(ModelSpec spec)
    {
        foreach (var table in spec.Tables)
        {
            var layout = new TableLayout(table);
            for (var shard = 0; shard < layout.ShardCount; shard++)
                yield return new ShardSetup { Model = spec.Name, Table = table, Shard = shard, Consistency = spec.Consistency.Mode };
        }
    }
}
