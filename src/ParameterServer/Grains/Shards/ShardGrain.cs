using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Storage;
using ParameterServer.Contracts;
using ParameterServer.Grains.Hosting;
using ParameterServer.Kernels.Stats;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Grains.Shards;

/// <summary>
/// One shard of a table, keyed "{model}/{table}/{shard}": the single writer of its rows. A push is validated in
/// full before anything changes, then applied with the table's optimizer (under BSP summed until the model grain
/// applies its clock). Checkpoints are snapshots of the live state, written in the background.
/// </summary>
/// <remarks>
/// Reentrant so that pushes and pulls are served while a checkpoint is being written. Every handler that
/// touches the values runs to completion without awaiting, so no update interleaves with another and no pull
/// reply is torn. Placed at random, so a model's shards spread over the silos instead of landing on the silo of
/// the model grain that creates them (the default placement prefers the local silo, and activation-count
/// placement sees only the local silo until load statistics arrive).
/// </remarks>
[Reentrant]
[RandomPlacement]
public sealed class ShardGrain : Grain, IShardGrain
{
    // Its State is the snapshot written last (or being written); the live state is _live.
    private readonly IPersistentState<ShardState> _checkpoint;
    private readonly CheckpointPolicyOptions _policy;
    private readonly ILogger<ShardGrain> _logger;
    private ShardState _live = new();
    private Updater? _updater;
    private ClockAccumulator? _pending;
    private int _rowStart;
    private int _rowCount;
    private int _cols;
    private readonly CheckpointBackoff _backoff;
    private Task _write = Task.CompletedTask;

    public ShardGrain(
        [PersistentState("shard", StorageNames.Checkpoints)] IPersistentState<ShardState> checkpoint,
        IOptions<CheckpointPolicyOptions> policy,
        ILogger<ShardGrain> logger)
    {
        _checkpoint = checkpoint;
        _policy = policy.Value;
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
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _updater is null ? Task.CompletedTask : TryCheckpoint();

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
            var (rowStart, rowCount) = new TableLayout(setup.Table).ShardRange(setup.Shard);
            var values = new float[rowCount * setup.Table.Cols];
            ShardInitializer.Fill(values, setup.Table, rowStart);
            var updater = new Updater(setup.Table.Optimizer, values.Length);
            Serve(new ShardState { Setup = setup, Values = values, Slots = updater.Slots }, updater, rowStart, rowCount);
        }
        else if (_live.Setup != setup)
        {
            throw new ParameterServerException(ErrorCode.SpecMismatch, $"shard {key} exists with another setup");
        }
        // A shard exists for the cluster once it is durable: a lost silo must not take a shard with it.
        if (_live.CheckpointedAt is null) await WriteCheckpoint();
    }

    public Task<PushReply> Push(PushRequest request)
    {
        if (_updater is null) return Unknown<PushReply>();
        if (request is null) throw MissingRequest("push");
        CheckRows(request.RowOffset, request.RowCount);
        var offset = request.RowOffset * _cols;
        var count = request.RowCount * _cols;
        float[]? rented = null;
        try
        {
            var gradient = DecodeGradient(request.Payload, request.Encoding, count, ref rented);
            if (!TensorStats.AllFinite(gradient))
                throw new ParameterServerException(ErrorCode.NonFinite, $"gradient for shard {this.GetPrimaryKeyString()} holds NaN or Inf");

            _live.UpdateCount++;
            if (_pending is not null && request.Clock >= 0)
            {
                _pending.Add(request.Clock, request.WorkerId, offset, gradient);
                return Task.FromResult(new PushReply { Version = _live.Version, Applied = false });
            }
            Apply(gradient, offset);
            return Task.FromResult(new PushReply { Version = _live.Version, Applied = true });
        }
        finally
        {
            if (rented is not null) ArrayPool<float>.Shared.Return(rented);
        }
    }

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
                if (_pending.TakeAverage(clock, average.AsSpan(0, n))) Apply(average.AsSpan(0, n), 0);
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

    private void Serve(ShardState live, Updater updater, int rowStart, int rowCount)
    {
        _live = live;
        _updater = updater;
        _rowStart = rowStart;
        _rowCount = rowCount;
        _cols = live.Setup!.Table.Cols;
        _pending = live.Setup.Consistency == ConsistencyMode.Bsp ? new ClockAccumulator(live.Values.Length) : null;
    }

    private void Apply(ReadOnlySpan<float> gradient, int offset)
    {
        _updater!.Apply(_live.Values, gradient, offset, _live.Version);
        _live.Version++;
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
    private ReadOnlySpan<float> DecodeGradient(byte[]? payload, TensorEncoding encoding, int count, ref float[]? rented)
    {
        var expected = PayloadCodec.ByteLength(encoding, count);
        if (payload is null || payload.Length != expected)
            throw new ParameterServerException(ErrorCode.WrongLength, $"payload of {payload?.Length ?? 0} bytes for shard {this.GetPrimaryKeyString()}, expected {expected} ({count} {encoding} values)");
        if (encoding == TensorEncoding.Fp32) return MemoryMarshal.Cast<byte, float>(payload.AsSpan());
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
        _live.CopyTo(_checkpoint.State);
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
