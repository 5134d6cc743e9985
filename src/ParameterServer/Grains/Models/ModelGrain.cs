using System.Diagnostics;
using System.Globalization;
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
/// Its record is the authority its shards ask (<see cref="IModelAuthority"/>): which shards exist, who may push to a clock.
/// </summary>
public sealed class ModelGrain : Grain, IModelGrain, IModelAuthority
{
    private static readonly TimeSpan MinLeaseCheck = TimeSpan.FromMilliseconds(10);

    private readonly IPersistentState<ModelState> _state;
    private readonly CheckpointPolicyOptions _policy;
    private readonly ModelLimitsOptions _limits;
    private readonly ILogger<ModelGrain> _logger;
    private readonly WorkerClocks _workers = new();
    // Completed, and replaced, when the completed clock moves or the last worker goes: every caller of WaitForMinClock,
    // whatever clock it waits for, looks again then. One for all, so waits for many clocks hold no state per clock.
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IShardGrain[] _shards = [];
    // Null for a job that assigns no data (ModelSpec.Partitions = 0).
    private PartitionAssignment? _partitions;
    // The highest minimum clock reached (under BSP: applied by every shard). Workers join at it.
    private long _completedClock;
    // Clocks moved since the progress was last saved.
    private bool _progressChanged;

    public ModelGrain([PersistentState("model", StorageNames.Checkpoints)] IPersistentState<ModelState> state, IOptions<CheckpointPolicyOptions> policy,
        IOptions<ModelLimitsOptions> limits, ILogger<ModelGrain> logger)
    {
        _state = state;
        _policy = policy.Value;
        _limits = limits.Value;
        _logger = logger;
    }

    /// <summary>The spec of the created model; <see cref="ErrorCode.UnknownModel"/> before its create has completed.</summary>
    private ModelSpec Spec => _state.State is { Spec: { } spec, Creating: false }
        ? spec
        : throw new ParameterServerException(ErrorCode.UnknownModel, _state.State.Creating
            ? $"model '{this.GetPrimaryKeyString()}' is being created, or its create was interrupted: create it again with the same spec to complete it"
            : $"model '{this.GetPrimaryKeyString()}' does not exist");

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (_state.State is { Spec: { } spec, Creating: false })
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
            throw new ParameterServerException(ErrorCode.SpecMismatch, _state.State.Creating
                ? $"model '{spec.Name}' is being created with another spec, or that create was interrupted: create it again with that spec to complete it"
                : $"model '{spec.Name}' exists with another spec");
        if (existing is null)
        {
            CheckSize(spec);
            // Recorded before any shard is set up: a shard sets itself up only when the record lists it (Vouch), and a
            // create interrupted from here on leaves only shards the record accounts for.
            await Record(spec, creating: true);
        }

        // Initializing is idempotent, so creating again with the same spec also completes a create that failed halfway.
        await Task.WhenAll(ShardSetups(spec).Select(s =>
            GrainFactory.GetGrain<IShardGrain>(TableLayout.ShardKey(s.Model, s.Table.Name, s.Shard)).Initialize(s)));
        if (_state.State.Creating)
        {
            await Record(spec, creating: false);
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
        // Held at most MaxClockWait, an infinite wait too, so waiting calls cannot pile up without bound.
        var wait = timeout == Timeout.InfiniteTimeSpan || timeout > _limits.MaxClockWait ? _limits.MaxClockWait : timeout;
        var started = Stopwatch.GetTimestamp();
        while (_workers.Count > 0 && clock > _completedClock)
        {
            var left = wait - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero) break;
            // A timeout is not an error: the caller gets the minimum clock reached so far and decides.
            await _advanced.Task.WaitAsync(left)
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
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

    public Task Vouch(ShardSetup setup)
    {
        var model = this.GetPrimaryKeyString();
        if (setup?.Table is null)
            throw new ParameterServerException(ErrorCode.InvalidArgument, $"a shard setup of model '{model}' is missing or has no table");
        var spec = _state.State.Spec
            ?? throw new ParameterServerException(ErrorCode.UnknownModel, $"model '{model}' does not exist: a shard is set up by its model's create only");
        var table = spec.FindTable(setup.Table.Name)
            ?? throw new ParameterServerException(ErrorCode.UnknownTable, $"model '{model}' has no table '{setup.Table.Name}'");
        new TableLayout(table).ShardRange(setup.Shard);
        if (setup != SetupOf(spec, table, setup.Shard))
            throw new ParameterServerException(ErrorCode.SpecMismatch,
                $"shard {TableLayout.ShardKey(model, table.Name, setup.Shard)} has another setup in the spec of model '{model}'");
        return Task.CompletedTask;
    }

    public Task CheckContributor(string workerId)
    {
        var spec = Spec;
        if (!_workers.IsContributor(workerId))
            throw new ParameterServerException(ErrorCode.UnknownWorker,
                $"{(string.IsNullOrEmpty(workerId) ? "a push without a worker id" : $"worker '{workerId}'")} is not a member of BSP job '{spec.Name}' " +
                "(never joined, left, or its lease expired): a push for a clock counts in that clock's average, so only the job's workers send one; " +
                "a push with clock -1 is applied at once");
        return Task.CompletedTask;
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

    /// <summary>Writes the model's record; on failure the record in memory stays what it was.</summary>
    private async Task Record(ModelSpec spec, bool creating)
    {
        var state = _state.State;
        var (spec0, creating0) = (state.Spec, state.Creating);
        (state.Spec, state.Creating) = (spec, creating);
        try
        {
            await _state.WriteStateAsync();
        }
        catch
        {
            (state.Spec, state.Creating) = (spec0, creating0);
            throw;
        }
    }

    /// <summary>Refuses a model whose values and optimizer slots would take more memory than the silos allow one model.</summary>
    private void CheckSize(ModelSpec spec)
    {
        long values = 0, bytes = 0;
        foreach (var table in spec.Tables)
        {
            values += table.Elements;
            bytes += table.Elements * sizeof(float) * (1 + table.Optimizer.SlotCount);
        }
        var limit = _limits.ModelBytesLimit;
        if (bytes > limit)
            throw new ParameterServerException(ErrorCode.ModelTooLarge, string.Create(CultureInfo.InvariantCulture,
                $"model '{spec.Name}' needs {bytes:N0} bytes ({bytes / (double)(1 << 20):N1} MiB) for its {values:N0} values and their optimizer slots, " +
                $"more than the {limit:N0} bytes ({limit / (double)(1 << 20):N1} MiB) one model may take on these silos (Models:MaxModelBytes)"));
    }

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
    /// it) and wakes the callers of WaitForMinClock to look again. With no live worker nobody waits.
    /// </summary>
    private async Task Advance()
    {
        var moved = false;
        if (_workers.MinClock is { } min && min > _completedClock)
        {
            if (Spec.Consistency.Mode == ConsistencyMode.Bsp)
                await Task.WhenAll(_shards.Select(s => s.ApplyClock(min)));
            _completedClock = min;
            moved = true;
        }
        if (moved || _workers.Count == 0)
        {
            var advanced = _advanced;
            _advanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            advanced.SetResult();
        }
    }

    private static IEnumerable<ShardSetup> ShardSetups(ModelSpec spec)
    {
        foreach (var table in spec.Tables)
        {
            var layout = new TableLayout(table);
            for (var shard = 0; shard < layout.ShardCount; shard++)
                yield return SetupOf(spec, table, shard);
        }
    }

    private static ShardSetup SetupOf(ModelSpec spec, TableSpec table, int shard) =>
        new() { Model = spec.Name, Table = table, Shard = shard, Consistency = spec.Consistency.Mode };
}
