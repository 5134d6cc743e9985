using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Storage;
using ParameterServer.Contracts;
using ParameterServer.DataPlane;
using ParameterServer.Grains.DataPlane;
using ParameterServer.Grains.Hosting;
using ParameterServer.Grains.Models;
using ParameterServer.Kernels.Stats;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Grains.Shards;

/// <summary>
/// One shard of a table, keyed "{model}/{table}/{shard}": the single writer of its rows. A push is validated in
/// full before anything changes, then applied with the table's optimizer (under BSP summed until the model grain
/// applies its clock). A push that carries an identity (<see cref="PushId"/>) is taken once: sent again, it is
/// answered as the first time and not applied. Checkpoints are snapshots of the live state, written in the
/// background. Gradient bytes arrive in the push itself or, sent on a lane to the silo's data port, are committed by
/// token; pulls on lanes are answered with snapshots taken in a turn of the shard's own. It exists only as its model's
/// record lists it, and under BSP sums pushes for a clock only from the job's workers: it asks its model grain
/// (<see cref="IModelAuthority"/>) before it sets itself up, and once per worker id and activation.
/// </summary>
/// <remarks>
/// Reentrant so that pushes and pulls are served while a checkpoint is being written. What a handler does to the
/// values runs to completion without awaiting, so no update interleaves with another and no pull reply is torn. Placed at random, so a model's shards spread over the silos instead of landing on the silo of
/// the model grain that creates them (the default placement prefers the local silo, and activation-count
/// placement sees only the local silo until load statistics arrive).
/// </remarks>
[Reentrant]
[RandomPlacement]
public sealed class ShardGrain : Grain, IShardGrain
{
    private const int MaxContributors = 4096;

    // Its State is the snapshot written last (or being written); the live state is _live.
    private readonly IPersistentState<ShardState> _checkpoint;
    private readonly CheckpointPolicyOptions _policy;
    private readonly DataPort _dataPort;
    private readonly ILogger<ShardGrain> _logger;
    private readonly LentValues _lent = new();
    // Under BSP, the worker ids the job has confirmed may push for a clock.
    private readonly HashSet<string> _contributors = new(StringComparer.Ordinal);
    private ShardState _live = new();
    private Updater? _updater;
    private ClockAccumulator? _pending;
    private int _rowStart;
    private int _rowCount;
    private int _cols;
    private readonly CheckpointBackoff _backoff;
    // Tells this activation's answers from an earlier one's: a client that sees a later activation start from a
    // version below what it was acknowledged reports the loss to the job.
    private readonly long _activation = DateTime.UtcNow.Ticks;
    private long _restoredVersion;
    private Task _write = Task.CompletedTask;

    public ShardGrain(
        [PersistentState("shard", StorageNames.Checkpoints)] IPersistentState<ShardState> checkpoint,
        IOptions<CheckpointPolicyOptions> policy,
        DataPort dataPort,
        ILogger<ShardGrain> logger)
    {
        _checkpoint = checkpoint;
        _policy = policy.Value;
        _dataPort = dataPort;
        _logger = logger;
        _backoff = new CheckpointBackoff(_policy.RetryDelay, _policy.MaxRetryDelay);
    }

    private bool Dirty => _live.CheckpointedAt is null || _live.Version != _live.CheckpointedVersion;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (_checkpoint.State.Setup is { } setup)
        {
            // The restored state becomes the live one; the next snapshot gets arrays of its own.
            var restored = _checkpoint.State;
            var (rowStart, rowCount) = new TableLayout(setup.Table).ShardRange(setup.Shard);
            if (restored.Values.Length != (long)rowCount * setup.Table.Cols)
                throw new ParameterServerException(ErrorCode.CorruptCheckpoint, $"checkpoint of shard {this.GetPrimaryKeyString()} holds {restored.Values.Length} values, expected {rowCount}x{setup.Table.Cols}");
            Serve(restored, new Updater(setup.Table.Optimizer, restored.Slots, restored.Values.Length), rowStart, rowCount);
            _checkpoint.State = new ShardState();
        }
        this.RegisterGrainTimer(CheckpointOnTimer, new GrainTimerCreationOptions(_policy.Interval, _policy.Interval));
        _dataPort.Register(this.GetPrimaryKeyString(), this, this.AsReference<IShardGrain>());
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _dataPort.Unregister(this.GetPrimaryKeyString(), this);
        return _updater is null ? Task.CompletedTask : TryCheckpoint();
    }

    public async Task Initialize(ShardSetup setup)
    {
        var key = this.GetPrimaryKeyString();
        if (setup?.Table is null)
            throw new ParameterServerException(ErrorCode.InvalidArgument, $"setup of shard {key} is missing or has no table");
        var (model, table, shard) = TableLayout.ParseShardKey(key);
        if (setup.Model != model || setup.Table.Name != table || setup.Shard != shard)
            throw new ParameterServerException(ErrorCode.InvalidArgument, $"setup of {TableLayout.ShardKey(setup.Model, setup.Table.Name, setup.Shard)} sent to shard {key}");
        if (_live.Setup is null)
        {
            setup.Table.Validate();
            // A shard its model's record does not list would be an orphan: served and checkpointed, seen by nobody.
            await GrainFactory.GetGrain<IModelAuthority>(model).Vouch(setup);
            // Reentrant: another setup may have come in while the model answered.
            if (_live.Setup is null) Create(setup);
        }
        if (_live.Setup != setup)
            throw new ParameterServerException(ErrorCode.SpecMismatch, $"shard {key} exists with another setup");
        // A shard exists for the cluster once it is durable: a lost silo must not take a shard with it.
        if (_live.CheckpointedAt is null) await WriteCheckpoint();
    }

    public async Task<PushReply> Push(PushRequest request)
    {
        if (_updater is null) return await Unknown<PushReply>();
        if (request is null) throw MissingRequest("push");
        await Admit(request.WorkerId, request.Clock);
        return ApplyPush(request.Id, request.WorkerId, request.Clock, request.RowOffset, request.RowCount, request.Encoding, request.Payload, screened: false);
    }

    public async Task<PushReply> CommitPush(PushCommit commit)
    {
        if (_updater is null) return await Unknown<PushReply>();
        if (commit is null) throw MissingRequest("commit");
        await Admit(commit.WorkerId, commit.Clock);
        using var push = TakeStaged(commit.Token);
        // The data port commits on the client's behalf; a client whose lane broke before the answer commits the token
        // again and finds the bytes taken by the first commit: the record of taken pushes answers it.
        if (push is null)
            return TakenBefore(commit.Id) ?? throw new ParameterServerException(ErrorCode.UnknownToken,
                $"no push is staged under token {commit.Token} for shard {this.GetPrimaryKeyString()} on this silo, nor was push {commit.Id} taken: expired, or sent to a silo the shard has left");
        if (push.Encoding != (byte)commit.Encoding)
            throw new ParameterServerException(ErrorCode.InvalidArgument, $"push {commit.Token} was sent in encoding {push.Encoding} and committed as {commit.Encoding}");
        return ApplyPush(commit.Id, commit.WorkerId, commit.Clock, commit.RowOffset, commit.RowCount, commit.Encoding, push.Payload.Span, push.Screened);
    }

    public Task<DataEndpoint?> GetDataEndpoint() => _updater is null ? Unknown<DataEndpoint?>() : Task.FromResult(_dataPort.Endpoint);

    public Task<PullReply?> Pull(PullRequest request)
    {
        if (_updater is null) return Unknown<PullReply?>();
        if (request is null) throw MissingRequest("pull");
        CheckRows(request.RowOffset, request.RowCount);
        request.Encoding.ElementSize(); // refuses an unknown encoding even when the caller is current
        if (request.KnownVersion == _live.Version) return Task.FromResult<PullReply?>(null);
        var values = _live.Values.AsSpan(request.RowOffset * _cols, request.RowCount * _cols);
        return Task.FromResult<PullReply?>(new PullReply { Version = _live.Version, Payload = PayloadCodec.Encode(values, request.Encoding) });
    }

    /// <summary>
    /// The shard's values in <paramref name="encoding"/> for a pull on a lane, or <see cref="ShardSnapshot.Current"/>
    /// when the caller holds the version. Called in a turn of this activation (the data port queues it on its
    /// scheduler), so no update interleaves. fp32 values are lent as they are (<see cref="LentValues"/>); 16-bit ones
    /// are encoded into a buffer of <paramref name="pool"/>.
    /// </summary>
    internal ShardSnapshot TakeSnapshot(long knownVersion, TensorEncoding encoding, BufferPool pool)
    {
        if (_updater is null)
            return ShardSnapshot.Refuse(LaneError.UnknownShard, $"shard {this.GetPrimaryKeyString()} does not exist");
        if (knownVersion == _live.Version) return ShardSnapshot.Current(_live.Version);
        if (encoding == TensorEncoding.Fp32)
            return ShardSnapshot.Of(_live.Version, FloatBytes.Of(_live.Values), _lent.Lend(_live.Values));
        var length = (int)PayloadCodec.ByteLength(encoding, _live.Values.Length);
        if (!pool.TryRent(length, out var buffer))
            return ShardSnapshot.Refuse(LaneError.Busy, $"the data port's memory is full; snapshot of shard {this.GetPrimaryKeyString()} refused, retry later");
        PayloadCodec.Encode(_live.Values, encoding, buffer.AsSpan(0, length));
        return ShardSnapshot.Of(_live.Version, buffer.AsMemory(0, length), new BufferLease(pool, buffer));
    }

    public Task<long> ApplyClock(long clock)
    {
        if (_updater is null) return Unknown<long>();
        if (_pending is null)
            throw new ParameterServerException(ErrorCode.InvalidArgument, $"shard {this.GetPrimaryKeyString()} is not under BSP: it applies each push, there is no clock to apply");
        if (clock < 0)
            throw new ParameterServerException(ErrorCode.InvalidArgument, $"clock {clock} to apply on shard {this.GetPrimaryKeyString()} is negative");
        if (_pending.PendingClocks > 0)
        {
            var n = _live.Values.Length;
            var average = ArrayPool<float>.Shared.Rent(n);
            try
            {
                if (_pending.TakeAverage(clock, average.AsSpan(0, n)))
                {
                    Apply(average.AsSpan(0, n), 0);
                    CheckpointIfDue();
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(average);
            }
        }
        return Task.FromResult(_live.Version);
    }

    public Task<ShardInfo> GetInfo()
    {
        if (_updater is null) return Unknown<ShardInfo>();
        return Task.FromResult(new ShardInfo
        {
            Key = this.GetPrimaryKeyString(),
            Shard = _live.Setup!.Shard,
            RowStart = _rowStart,
            RowCount = _rowCount,
            Cols = _cols,
            Version = _live.Version,
            UpdateCount = _live.UpdateCount,
            CheckpointedVersion = _live.CheckpointedVersion,
            CheckpointedAt = _live.CheckpointedAt,
            Silo = RuntimeIdentity,
            CheckpointFailures = _backoff.Failures,
            CheckpointError = _backoff.LastError,
            Activation = _activation,
            RestoredVersion = _restoredVersion,
        });
    }

    public Task<ShardStats> GetStats()
    {
        if (_updater is null) return Unknown<ShardStats>();
        var s = TensorStats.Summarize(_live.Values);
        return Task.FromResult(new ShardStats { Count = s.Count, SumOfSquares = s.SumOfSquares, Min = s.Min, Max = s.Max, NaNCount = s.NaNCount });
    }

    public async Task<long> Checkpoint()
    {
        if (_updater is null) return await Unknown<long>();
        await WriteCheckpoint();
        return _live.CheckpointedVersion;
    }

    /// <summary>Sets up a new shard: its values from the table's initializer, fresh optimizer slots.</summary>
    private void Create(ShardSetup setup)
    {
        var (rowStart, rowCount) = new TableLayout(setup.Table).ShardRange(setup.Shard);
        var values = new float[rowCount * setup.Table.Cols];
        ShardInitializer.Fill(values, setup.Table, rowStart);
        var updater = new Updater(setup.Table.Optimizer, values.Length);
        Serve(new ShardState { Setup = setup, Values = values, Slots = updater.Slots }, updater, rowStart, rowCount);
    }

    private void Serve(ShardState live, Updater updater, int rowStart, int rowCount)
    {
        _live = live;
        _updater = updater;
        _rowStart = rowStart;
        _rowCount = rowCount;
        _cols = live.Setup!.Table.Cols;
        _pending = live.Setup.Consistency == ConsistencyMode.Bsp ? new ClockAccumulator(live.Values.Length) : null;
        _restoredVersion = live.Version;
    }

    /// <summary>
    /// Under BSP a push for a clock counts in that clock's average, so only the job's workers may send one: the model
    /// grain confirms each worker id once per activation. Completes at once for every other push.
    /// </summary>
    private Task Admit(string workerId, long clock) =>
        _pending is null || clock < 0 || _contributors.Contains(workerId) ? Task.CompletedTask : AdmitNew(workerId);

    private async Task AdmitNew(string workerId)
    {
        await GrainFactory.GetGrain<IModelAuthority>(_live.Setup!.Model).CheckContributor(workerId);
        // Bounded: past the cap the confirmed ids are forgotten (departed workers' among them) and asked about again.
        if (_contributors.Count >= MaxContributors) _contributors.Clear();
        _contributors.Add(workerId);
    }

    /// <summary>
    /// The one path of every push, whether its bytes came in the call or on a lane: answer a repeated push as the first
    /// time, validate a new one in full, then apply or buffer it. <paramref name="screened"/>: the data port found every
    /// fp32 value finite as the bytes arrived.
    /// </summary>
    private PushReply ApplyPush(PushId id, string workerId, long clock, int rowOffset, int rowCount, TensorEncoding encoding, ReadOnlySpan<byte> payload, bool screened)
    {
        CheckRows(rowOffset, rowCount);
        if (TakenBefore(id) is { } repeated)
            return repeated;
        var offset = rowOffset * _cols;
        var count = rowCount * _cols;
        float[]? rented = null;
        try
        {
            var gradient = DecodeGradient(payload, encoding, count, ref rented);
            if (!(screened && encoding == TensorEncoding.Fp32) && !TensorStats.AllFinite(gradient))
                throw new ParameterServerException(ErrorCode.NonFinite, $"gradient for shard {this.GetPrimaryKeyString()} holds NaN or Inf");

            _live.UpdateCount++;
            if (_pending is not null && clock >= 0)
            {
                _pending.Add(clock, workerId, offset, gradient, id);
                return Took(id, applied: false);
            }
            Apply(gradient, offset);
            // Recorded before a checkpoint may snapshot the state: a checkpoint that holds the update holds its record.
            var reply = Took(id, applied: true);
            CheckpointIfDue();
            return reply;
        }
        finally
        {
            if (rented is not null) ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>A push taken before answered as then; null for a new push or one without identity.</summary>
    private PushReply? TakenBefore(PushId id)
    {
        if (id.IsNone) return null;
        if (id.Sequence < 1)
            throw new ParameterServerException(ErrorCode.InvalidArgument, $"push {id} to shard {this.GetPrimaryKeyString()}: sequence numbers start at 1");
        return _live.Pushes.Find(id, out var original) switch
        {
            PushLookup.New => null,
            PushLookup.Repeated => Reply(original.Version, original.Applied),
            _ => throw new ParameterServerException(ErrorCode.StalePush,
                $"push {id} to shard {this.GetPrimaryKeyString()} is older than the last {AppliedPushes.WindowSize} pushes the shard remembers from its writer: whether it was applied cannot be told, so it is not applied"),
        };
    }

    /// <summary>Records a push just taken and answers it.</summary>
    private PushReply Took(PushId id, bool applied)
    {
        if (!id.IsNone) _live.Pushes.Record(id, _live.Version, applied, DateTimeOffset.UtcNow);
        return Reply(_live.Version, applied);
    }

    private PushReply Reply(long version, bool applied) =>
        new() { Version = version, Applied = applied, Activation = _activation, RestoredVersion = _restoredVersion };

    /// <summary>
    /// Takes the push a lane staged under <paramref name="token"/> for this shard, null when none is; the caller
    /// disposes it, which frees its buffer.
    /// </summary>
    private StagedPush? TakeStaged(Guid token)
    {
        var key = this.GetPrimaryKeyString();
        return _dataPort.Lanes.Staging.TryTake(token, key, out var push) switch
        {
            TakeResult.Taken => push!,
            TakeResult.WrongShard => throw new ParameterServerException(ErrorCode.InvalidArgument, $"token {token} was staged for another shard than {key}"),
            _ => null,
        };
    }

    private void Apply(ReadOnlySpan<float> gradient, int offset)
    {
        _live.Values = _lent.Writable(_live.Values);
        _updater!.Apply(_live.Values, gradient, offset, _live.Version);
        _live.Version++;
    }

    private void CheckpointIfDue()
    {
        if (_live.Version - _live.CheckpointedVersion >= _policy.EveryUpdates && _write.IsCompleted && _backoff.MayAttempt(DateTimeOffset.UtcNow))
            _ = TryCheckpoint();
    }

    private void CheckRows(int rowOffset, int rowCount)
    {
        if (rowOffset < 0 || rowCount <= 0 || (long)rowOffset + rowCount > _rowCount)
            throw new ParameterServerException(ErrorCode.RowsOutOfRange, $"rows [{rowOffset}, {(long)rowOffset + rowCount}) are outside shard {this.GetPrimaryKeyString()} of {_rowCount} rows");
    }

    private ParameterServerException MissingRequest(string call) =>
        new(ErrorCode.InvalidArgument, $"{call} to shard {this.GetPrimaryKeyString()} without a request");

    // fp32 gradients are read in place from the payload; bf16 and fp16 are widened into a pooled buffer.
    private ReadOnlySpan<float> DecodeGradient(ReadOnlySpan<byte> payload, TensorEncoding encoding, int count, ref float[]? rented)
    {
        var expected = PayloadCodec.ByteLength(encoding, count);
        if (payload.Length != expected)
            throw new ParameterServerException(ErrorCode.WrongLength, $"payload of {payload.Length} bytes for shard {this.GetPrimaryKeyString()}, expected {expected} ({count} {encoding} values)");
        if (encoding == TensorEncoding.Fp32) return MemoryMarshal.Cast<byte, float>(payload);
        rented = ArrayPool<float>.Shared.Rent(count);
        var gradient = rented.AsSpan(0, count);
        PayloadCodec.Decode(payload, encoding, gradient);
        return gradient;
    }

    // A call to a shard that was never initialized: says whether the model, the table or the shard is unknown.
    private async Task<T> Unknown<T>()
    {
        var key = this.GetPrimaryKeyString();
        var (model, table, _) = TableLayout.ParseShardKey(key);
        var spec = await GrainFactory.GetGrain<IModelGrain>(model).GetSpec();
        if (spec.FindTable(table) is null)
            throw new ParameterServerException(ErrorCode.UnknownTable, $"model '{model}' has no table '{table}'");
        throw new ParameterServerException(ErrorCode.UnknownShard, $"shard {key} does not exist");
    }

    /// <summary>Snapshots and writes the live state after the write in flight, if any; a no-op when nothing changed.</summary>
    private async Task WriteCheckpoint()
    {
        // One write at a time: the persisted State is the snapshot being written and must not change under it.
        while (!_write.IsCompleted)
            await _write.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        if (!Dirty) return;
        _write = WriteSnapshot();
        await _write;
    }

    /// <summary>
    /// Writes a snapshot of the live state. A failure counts towards the backoff and is thrown as
    /// <see cref="ErrorCode.Unavailable"/>; the live state keeps its last written checkpoint.
    /// </summary>
    private async Task WriteSnapshot()
    {
        // The copy is taken synchronously; pushes served during the write change _live, not the snapshot.
        var version = _live.Version;
        var at = DateTimeOffset.UtcNow;
        _live.Pushes.Expire(at);
        _live.CopyTo(_checkpoint.State);
        // BSP sums are not checkpointed: a push still summed is not taken as far as the checkpoint goes, so that sent
        // again to a shard restored from it, it is applied.
        if (_pending is not null)
        {
            foreach (var id in _pending.BufferedPushes) _checkpoint.State.Pushes.Forget(id);
        }
        _checkpoint.State.CheckpointedVersion = version;
        _checkpoint.State.CheckpointedAt = at;
        var key = this.GetPrimaryKeyString();
        try
        {
            await WriteOrConfirm(version, at);
        }
        catch (Exception e)
        {
            var delay = _backoff.Failed(DateTimeOffset.UtcNow, e);
            _logger.LogWarning("Checkpoint of shard {Shard} at version {Version} failed ({Failures} in a row, last written version {Written}); next background attempt in {Delay}: {Error}",
                key, version, _backoff.Failures, _live.CheckpointedVersion, delay, _backoff.LastError);
            throw new ParameterServerException(ErrorCode.Unavailable, $"checkpoint of shard {key} at version {version} could not be written: {_backoff.LastError}", e);
        }
        if (_backoff.Failures > 0)
            _logger.LogInformation("Checkpoint of shard {Shard} written at version {Version} after {Failures} failed attempts", key, version, _backoff.Failures);
        _backoff.Succeeded();
        _live.CheckpointedVersion = version;
        _live.CheckpointedAt = at;
    }

    /// <summary>
    /// A write whose answer was lost (the store went away mid-request) may have landed, and its retry then fails the
    /// ETag check. Reading the checkpoint back tells which, and takes the stored ETag either way, so a write that did
    /// not land is retried over whatever is stored: this activation is the shard's single writer.
    /// </summary>
    private async Task WriteOrConfirm(long version, DateTimeOffset at)
    {
        try
        {
            await _checkpoint.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            await _checkpoint.ReadStateAsync();
            if (_checkpoint.State.CheckpointedVersion != version || _checkpoint.State.CheckpointedAt != at)
                throw;
        }
    }

    /// <summary>A checkpoint nobody waits for: <see cref="WriteSnapshot"/> logs and counts a failure, the backoff retries it.</summary>
    private async Task TryCheckpoint()
    {
        try
        {
            await WriteCheckpoint();
        }
        catch (ParameterServerException e) when (e.Code == ErrorCode.Unavailable)
        {
            // Logged and counted where it failed.
        }
    }

    private Task CheckpointOnTimer() =>
        _updater is not null && Dirty && _write.IsCompleted && _backoff.MayAttempt(DateTimeOffset.UtcNow) ? TryCheckpoint() : Task.CompletedTask;
}
