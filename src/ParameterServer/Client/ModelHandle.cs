using ParameterServer.Client.DataPlane;
using ParameterServer.Contracts;

namespace ParameterServer.Client;

/// <summary>
/// An open model: push gradients to and pull values from its tables, take part in the clock protocol as a worker,
/// and query its state. Obtained from <see cref="ParameterServerClient.CreateModelAsync"/> or
/// <see cref="ParameterServerClient.OpenModelAsync"/>; safe to share between threads.
/// </summary>
/// <example><c>var model = await client.OpenModelAsync("mnist"); await model.PushAsync("fc1", gradient);</c></example>
public sealed class ModelHandle
{
    private readonly IModelGrain _model;
    private readonly Dictionary<string, TableShards> _tables;

    internal ModelHandle(IGrainFactory grains, ModelSpec spec, ShardLanes? lanes)
    {
        Spec = spec;
        _model = grains.GetGrain<IModelGrain>(spec.Name);
        _tables = new Dictionary<string, TableShards>(StringComparer.Ordinal);
        foreach (var table in spec.Tables)
            _tables.Add(table.Name, new TableShards(grains, spec.Name, table, lanes));
    }

    private ModelHandle(ModelHandle other, string workerId)
    {
        Spec = other.Spec;
        _model = other._model;
        _tables = other._tables;
        WorkerId = workerId;
    }

    /// <summary>The model's name.</summary>
    /// <example><c>Console.WriteLine(model.Name);</c></example>
    public string Name => Spec.Name;

    /// <summary>The model's spec as the cluster holds it (a model's spec never changes once created).</summary>
    /// <example><c>var tables = model.Spec.Tables;</c></example>
    public ModelSpec Spec { get; }

    /// <summary>The worker id this handle's pushes carry; empty for a handle that is not a worker's.</summary>
    /// <example><c>var id = model.WorkerId;</c></example>
    public string WorkerId { get; } = "";

    /// <summary>A handle whose pushes carry <paramref name="workerId"/>, sharing this handle's tables.</summary>
    /// <example><c>var worker = model.ForWorker("worker-0");</c></example>
    public ModelHandle ForWorker(string workerId)
    {
        Names.Validate(workerId, "worker");
        return new ModelHandle(this, workerId);
    }

    /// <summary>How a table's rows are cut into shards; <see cref="ErrorCode.UnknownTable"/> for a table the model lacks.</summary>
    /// <example><c>var shards = model.Layout("embedding").ShardCount;</c></example>
    public TableLayout Layout(string table) => Table(table).Layout;

    /// <summary>
    /// Pushes a gradient for rows [rowStart, rowStart + gradient.Length / cols) of a table: checked (table, length,
    /// rows, NaN/Inf), cut per shard, encoded, sent with up to 8 in flight (on the data plane's lanes where the shard's
    /// silo has a data port, in grain calls otherwise); completes when every shard has acknowledged. A refused gradient
    /// changes no shard: a gradient over several shards is checked here before any slice goes out, one within a single
    /// shard is checked by that shard, without a pass over it here. A slice whose answer is lost (its silo dies under
    /// it, a timeout, a lane that breaks) is sent again, once its shard is back on a live silo, for up to 2 minutes;
    /// each slice carries an identity the shard de-duplicates on, so a repeated slice is applied once. A slice applied
    /// after its shard's last checkpoint and lost with its silo is applied again when repeated, since the restored shard
    /// lost it. A slice repeated after 64 later slices from this handle reached its shard is refused with
    /// <see cref="ErrorCode.StalePush"/>: the shard no longer remembers whether it took it. Under BSP a push for a clock
    /// (<paramref name="clock"/> >= 0) counts in that clock's average, so it must come from a worker of the job: a
    /// handle from <see cref="ForWorker"/> whose id has joined (<see cref="JoinAsync"/>), or pushes under
    /// "{worker}.{suffix}" for a member "{worker}", one id per data partition. From a handle that is no worker's it is
    /// refused here, from an id that is not a member by the shards, both with <see cref="ErrorCode.UnknownWorker"/>; a
    /// push with clock -1 is applied at once, outside the clocks.
    /// </summary>
    /// <example><c>await model.PushAsync("fc1", gradient, rowStart: 0, clock: step);</c></example>
    public async Task PushAsync(string table, ReadOnlyMemory<float> gradient, int rowStart = 0, long clock = -1,
        TensorEncoding encoding = TensorEncoding.Fp32, CancellationToken ct = default)
    {
        var shards = Table(table);
        if (clock < -1)
            throw new ParameterServerException(ErrorCode.InvalidArgument, $"clock {clock} is neither a step (>= 0) nor -1");
        if (clock >= 0 && WorkerId.Length == 0 && Spec.Consistency.Mode == ConsistencyMode.Bsp)
            throw new ParameterServerException(ErrorCode.UnknownWorker,
                $"model '{Name}' is BSP: a push for clock {clock} counts in that clock's average and must come from a worker of the job (ForWorker, JoinAsync); push with clock -1 to apply it at once");
        var slices = shards.SliceBuffer(rowStart, gradient.Length, encoding);
        if (slices.Length > 1)
            shards.CheckGradient(gradient.Span, encoding);
        await ShardFanOut.ForEachAsync(slices, ct, (slice, token) => shards.PushSliceAsync(slice, gradient, WorkerId, clock, encoding, token));
    }

    /// <summary>
    /// Pulls rows [rowStart, rowStart + dest.Length / cols) of a table into <paramref name="dest"/>, cut per shard and
    /// fetched in parallel (a whole shard on a lane straight into <paramref name="dest"/> where its silo has a data port).
    /// Each shard's rows are one version of that shard; use a <see cref="TableReplica"/> to fetch only the shards that
    /// changed.
    /// </summary>
    /// <example><c>var w = new float[rows * cols]; await model.PullAsync("fc1", w);</c></example>
    public async Task PullAsync(string table, Memory<float> dest, int rowStart = 0,
        TensorEncoding encoding = TensorEncoding.Fp32, CancellationToken ct = default)
    {
        var shards = Table(table);
        var slices = shards.SliceBuffer(rowStart, dest.Length, encoding);
        await ShardFanOut.ForEachAsync(slices, ct, async (slice, token) =>
            await shards.PullSliceAsync(slice, dest, TableReplica.NotFetched, encoding, token));
    }

    /// <summary>
    /// A replica of a whole table for repeated pulls that fetch only changed shards. <paramref name="values"/> is
    /// the caller's buffer of rows x cols values (for example pinned host memory); by default a new array.
    /// </summary>
    /// <example><c>var replica = model.CreateReplica("fc1"); await replica.RefreshAsync();</c></example>
    public TableReplica CreateReplica(string table, Memory<float> values = default, TensorEncoding encoding = TensorEncoding.Fp32)
    {
        var shards = Table(table);
        return new TableReplica(shards, values.IsEmpty ? new float[shards.Spec.Elements] : values, encoding);
    }

    /// <summary>
    /// Adds a worker to the job (or renews it); from now on the minimum clock waits for it. The reply says the clock it
    /// starts from and the data partitions the job gives it.
    /// </summary>
    /// <example><c>var start = (await model.JoinAsync("worker-0")).Clock;</c></example>
    public Task<JoinReply> JoinAsync(string workerId, CancellationToken ct = default)
    {
        Names.Validate(workerId, "worker");
        return TransientRetry.RunAsync(() => _model.Join(workerId), ct);
    }

    /// <summary>
    /// Renews a worker's lease (call it more often than <see cref="ModelSpec.WorkerLease"/>) and returns the data
    /// partitions the job gives it now.
    /// </summary>
    /// <example><c>var partitions = (await model.HeartbeatAsync("worker-0")).Held;</c></example>
    public Task<WorkerAssignment> HeartbeatAsync(string workerId, CancellationToken ct = default) =>
        TransientRetry.RunAsync(() => _model.Heartbeat(workerId), ct);

    /// <summary>
    /// Reports that a worker finished <paramref name="clock"/> clocks (call it after that clock's pushes completed) and
    /// returns the data partitions the job gives it now.
    /// </summary>
    /// <example><c>var assignment = await model.ReportClockAsync("worker-0", step + 1);</c></example>
    public Task<WorkerAssignment> ReportClockAsync(string workerId, long clock, CancellationToken ct = default)
    {
        if (clock < 0)
            throw new ParameterServerException(ErrorCode.InvalidArgument, $"clock {clock} must be >= 0");
        return TransientRetry.RunAsync(() => _model.ReportClock(workerId, clock), ct);
    }

    /// <summary>
    /// Waits until every live worker reached <paramref name="clock"/> or <paramref name="timeout"/> passed, and returns
    /// the job's minimum clock then (less than <paramref name="clock"/> on timeout). The silo holds one wait for at most
    /// its limit (20 s by default) and then answers as on a timeout: wait in a loop for longer.
    /// </summary>
    /// <example><c>var min = await model.WaitForClockAsync(step - staleness, TimeSpan.FromSeconds(30));</c></example>
    public Task<long> WaitForClockAsync(long clock, TimeSpan timeout, CancellationToken ct = default)
    {
        if (timeout < TimeSpan.Zero)
            throw new ParameterServerException(ErrorCode.InvalidArgument, $"timeout {timeout} is negative");
        return TransientRetry.RunAsync(() => _model.WaitForMinClock(clock, timeout), ct);
    }

    /// <summary>Removes a worker from the job: the minimum clock stops waiting for it and its data partitions go to the others.</summary>
    /// <example><c>await model.LeaveAsync("worker-0");</c></example>
    public Task LeaveAsync(string workerId, CancellationToken ct = default) => TransientRetry.RunAsync(() => _model.Leave(workerId), ct);

    /// <summary>The job's workers, their clocks and the staleness between the fastest and the slowest.</summary>
    /// <example><c>var s = await model.GetStatusAsync(); Console.WriteLine($"{s.Workers.Count} workers, staleness {s.Staleness}");</c></example>
    public Task<ModelStatus> GetStatusAsync(CancellationToken ct = default) => _model.GetStatus().WaitAsync(ct);

    /// <summary>A table's shards (version, update count, last checkpoint and its age, silo) and value statistics.</summary>
    /// <example><c>var t = await model.GetTableStatusAsync("fc1"); Console.WriteLine(t.Stats.L2Norm);</c></example>
    public async Task<TableStatus> GetTableStatusAsync(string table, CancellationToken ct = default)
    {
        var shards = Table(table);
        var all = shards.Layout.Slice(0, shards.Spec.Rows);
        var infos = new ShardInfo[all.Length];
        var stats = new ShardStats[all.Length];
        await ShardFanOut.ForEachAsync(all, ct, async (slice, _) =>
        {
            var grain = shards.Shard(slice.Shard);
            var info = grain.GetInfo();
            stats[slice.Shard] = await grain.GetStats();
            infos[slice.Shard] = await info;
        });
        var now = DateTimeOffset.UtcNow;
        var statuses = new ShardStatus[all.Length];
        for (var s = 0; s < all.Length; s++)
            statuses[s] = new ShardStatus { Info = infos[s], Stats = stats[s], CheckpointAge = now - infos[s].CheckpointedAt };
        return new TableStatus { Spec = shards.Spec, ShardRows = shards.Layout.ShardRows, Shards = statuses, Stats = stats.Combine() };
    }

    /// <summary>Checkpoints every shard of the model now; returns the number of shards written.</summary>
    /// <example><c>var written = await model.CheckpointAsync();</c></example>
    public Task<int> CheckpointAsync(CancellationToken ct = default) => _model.Checkpoint().WaitAsync(ct);

    private TableShards Table(string table) =>
        _tables.TryGetValue(table, out var shards)
            ? shards
            : throw new ParameterServerException(ErrorCode.UnknownTable,
                $"model '{Name}' has no table '{table}' (tables: {string.Join(", ", _tables.Keys)})");
}
