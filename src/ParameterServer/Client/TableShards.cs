using System.Numerics.Tensors;
using ParameterServer.Client.DataPlane;
using ParameterServer.Contracts;
using ParameterServer.Kernels.Stats;

namespace ParameterServer.Client;

/// <summary>
/// One table as a client sees it: the slicer, a grain reference per shard, and the per-slice push and pull, on the
/// data plane's lanes where the shard's silo has a data port and in grain calls otherwise. Every push slice carries a
/// <see cref="PushId"/>: this table's writer id and the next number of its pushes to that shard, the same on every
/// transfer of the slice, so a slice sent again after its answer was lost is taken by the shard once.
/// </summary>
internal sealed class TableShards
{
    // Largest float16 value that does not round to infinity (65504 + half an ulp).
    private const float Fp16Overflow = 65520f;

    private readonly IShardGrain[] _shards;
    private readonly string[] _keys;
    private readonly ShardLanes? _lanes;
    private readonly IModelGrain _model;
    private readonly ShardActivations _activations;
    private readonly Guid _writer = Guid.NewGuid();
    // Per shard, so that each shard sees its writer's numbers without gaps: its window of remembered pushes then
    // covers the pushes in flight, however many go to other shards.
    private readonly long[] _sequences;

    public TableShards(IGrainFactory grains, string model, TableSpec spec, ShardLanes? lanes)
    {
        Layout = new TableLayout(spec);
        _shards = new IShardGrain[Layout.ShardCount];
        _keys = new string[Layout.ShardCount];
        for (var s = 0; s < _shards.Length; s++)
        {
            _keys[s] = TableLayout.ShardKey(model, spec.Name, s);
            _shards[s] = grains.GetGrain<IShardGrain>(_keys[s]);
        }
        _lanes = lanes;
        _model = grains.GetGrain<IModelGrain>(model);
        _activations = new ShardActivations(_keys);
        _sequences = new long[Layout.ShardCount];
    }

    public TableLayout Layout { get; }

    public TableSpec Spec => Layout.Spec;

    public IShardGrain Shard(int shard) => _shards[shard];

    /// <summary>Rows covered by a buffer of <paramref name="length"/> values starting at <paramref name="rowStart"/>, sliced per shard.</summary>
    public ShardSlice[] SliceBuffer(int rowStart, int length, TensorEncoding encoding)
    {
        encoding.ElementSize(); // throws UnknownEncoding before anything is sent
        if (length == 0 || length % Spec.Cols != 0)
            throw new ParameterServerException(ErrorCode.WrongLength, $"{length} values are not a whole number of rows of table '{Spec.Name}' ({Spec.Cols} columns)");
        return Layout.Slice(rowStart, length / Spec.Cols);
    }

    /// <summary>
    /// Refuses a gradient a shard would refuse, before any shard receives its slice: a push over several shards is all
    /// or nothing only when every slice is checked first.
    /// </summary>
    public void CheckGradient(ReadOnlySpan<float> gradient, TensorEncoding encoding)
    {
        if (!TensorStats.AllFinite(gradient))
            throw new ParameterServerException(ErrorCode.NonFinite, $"gradient for table '{Spec.Name}' holds NaN or Inf");
        if (encoding == TensorEncoding.Fp16 && MathF.Abs(TensorPrimitives.MaxMagnitude(gradient)) >= Fp16Overflow)
            throw new ParameterServerException(ErrorCode.NonFinite, $"gradient for table '{Spec.Name}' overflows float16 (|g| >= {Fp16Overflow})");
    }

    /// <summary>
    /// Pushes one slice, repeated while its shard's silo is being replaced (<see cref="TransientRetry"/>) under one
    /// identity, so that a repetition of a slice the shard took is answered, not applied.
    /// </summary>
    public ValueTask PushSliceAsync(ShardSlice slice, ReadOnlyMemory<float> gradient, string workerId, long clock, TensorEncoding encoding, CancellationToken ct)
    {
        var id = new PushId(_writer, Interlocked.Increment(ref _sequences[slice.Shard]));
        return new(TransientRetry.RunAsync(() => PushSliceOnceAsync(slice, gradient, id, workerId, clock, encoding, ct).AsTask(), ct));
    }

    /// <summary>Pulls one slice into its place in <paramref name="dest"/> (the request's rows), repeated while its shard's
    /// silo is being replaced; returns the shard's version, or null when the shard answered that
    /// <paramref name="knownVersion"/> is current and nothing was written.</summary>
    public ValueTask<long?> PullSliceAsync(ShardSlice slice, Memory<float> dest, long knownVersion, TensorEncoding encoding, CancellationToken ct) =>
        new(TransientRetry.RunAsync(() => PullSliceOnceAsync(slice, dest, knownVersion, encoding, ct).AsTask(), ct));

    private async ValueTask PushSliceOnceAsync(ShardSlice slice, ReadOnlyMemory<float> gradient, PushId id, string workerId, long clock, TensorEncoding encoding, CancellationToken ct)
    {
        var cols = Spec.Cols;
        var values = gradient.Slice(slice.RequestOffset * cols, slice.RowCount * cols);
        var commit = new PushCommit { Id = id, WorkerId = workerId, Clock = clock, RowOffset = slice.RowOffset, RowCount = slice.RowCount, Encoding = encoding };
        var reply = _lanes is null ? null : await _lanes.TryPushAsync(_shards[slice.Shard], _keys[slice.Shard], commit, values, ct);
        // A fresh array per call: Orleans passes [Immutable] payloads by reference to a co-hosted grain, which may keep
        // it (BSP buffers gradients until the clock completes), so a pooled buffer could be overwritten under it.
        reply ??= await _shards[slice.Shard].Push(new PushRequest
        {
            Id = id,
            WorkerId = workerId,
            Clock = clock,
            RowOffset = slice.RowOffset,
            RowCount = slice.RowCount,
            Encoding = encoding,
            Payload = PayloadCodec.Encode(values.Span, encoding),
        });
        if (_activations.Observe(slice.Shard, reply) is { } regression)
            await ReportAsync(regression);
    }

    // The push succeeded whatever becomes of the report: a report that fails (the job's silo is the one being lost)
    // costs the job a statistic, and the next client to notice the restore reports it.
    private async Task ReportAsync(VersionRegression regression)
    {
        try
        {
            await _model.ReportRegression(regression);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
        }
    }

    private async ValueTask<long?> PullSliceOnceAsync(ShardSlice slice, Memory<float> dest, long knownVersion, TensorEncoding encoding, CancellationToken ct)
    {
        var cols = Spec.Cols;
        var rows = dest.Slice(slice.RequestOffset * cols, slice.RowCount * cols);
        // A lane carries a whole shard's snapshot; a slice of part of a shard goes in a grain call.
        if (_lanes is not null && slice.RowCount == Layout.ShardRange(slice.Shard).RowCount
            && await _lanes.ReachableAsync(_shards[slice.Shard], _keys[slice.Shard]))
        {
            if (await _lanes.TryPullAsync(_shards[slice.Shard], _keys[slice.Shard], knownVersion, encoding, rows, ct) is { } pulled)
                return pulled.Modified ? pulled.Version : null;
            knownVersion = TableReplica.NotFetched; // the lanes failed, maybe after writing part of the rows: fetch them whole
        }
        var reply = await _shards[slice.Shard].Pull(new PullRequest
        {
            KnownVersion = knownVersion,
            RowOffset = slice.RowOffset,
            RowCount = slice.RowCount,
            Encoding = encoding,
        });
        if (reply is null)
            return null;
        PayloadCodec.Decode(reply.Payload, encoding, rows.Span);
        return reply.Version;
    }
}
