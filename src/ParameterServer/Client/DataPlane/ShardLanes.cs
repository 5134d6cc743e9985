using System.Buffers;
using System.Net;
using ParameterServer.Contracts;
using ParameterServer.DataPlane;

namespace ParameterServer.Client.DataPlane;

/// <summary>
/// The client's side of the data plane (DESIGN.md, "Wire format"). A push sends a slice's bytes on a lane to the data
/// port of the silo that hosts the shard, with its commit right behind them: the data port commits them with
/// <see cref="IShardGrain.CommitPush"/> and sends the shard's reply back on the lane, one round trip in all. A lane
/// that breaks after the commit went out leaves the outcome unknown: the client then commits the token itself, and a
/// shard that took the push answers it from its record of taken pushes (<see cref="PushCommit.Id"/>), so nothing is
/// applied twice. A pull receives the shard's
/// snapshot on a lane straight into the caller's rows. When the shard moved (the commit finds no push under its token,
/// or the silo no longer hosts the shard), the endpoint is resolved again and the transfer repeated, up to
/// <see cref="MaxTransfers"/> times. A shard with no data endpoint, or whose lanes keep failing, is left to grain
/// calls: the methods say so, and nothing was applied then. A commit that fails any other way is not repeated: it may
/// have been applied.
/// </summary>
internal sealed class ShardLanes(DataPlaneOptions options) : IDisposable
{
    private const int MaxTransfers = 3;

    private readonly LaneClient _lanes = new(new LaneClientOptions { LanesPerEndpoint = options.LanesPerSilo, MaxPayloadBytes = Limits.MaxShardBytes });
    private readonly DataEndpoints _endpoints = new();

    /// <summary>Whether the shard's silo has a data port (asked once, then cached).</summary>
    public async ValueTask<bool> ReachableAsync(IShardGrain shard, string shardKey) => await _endpoints.GetAsync(shard, shardKey) is not null;

    /// <summary>Pushes <paramref name="values"/> on a lane and has them committed; null when the push must go in a grain call instead.</summary>
    public async ValueTask<PushReply?> TryPushAsync(IShardGrain shard, string shardKey, PushCommit commit, ReadOnlyMemory<float> values, CancellationToken ct)
    {
        if (await _endpoints.GetAsync(shard, shardKey) is not { } endpoint)
            return null;
        byte[]? encoded = null;
        var described = ArrayPool<byte>.Shared.Rent(PushCommitCodec.MaxCommitLength);
        try
        {
            var description = described.AsMemory(0, PushCommitCodec.WriteCommit(commit, described));
            ReadOnlyMemory<byte> payload;
            if (commit.Encoding == TensorEncoding.Fp32)
            {
                payload = FloatBytes.Of(values);
            }
            else
            {
                var length = (int)PayloadCodec.ByteLength(commit.Encoding, values.Length);
                encoded = ArrayPool<byte>.Shared.Rent(length);
                PayloadCodec.Encode(values.Span, commit.Encoding, encoded.AsSpan(0, length));
                payload = encoded.AsMemory(0, length);
            }
            for (var transfer = 1; ; transfer++)
            {
                var laneFailed = false;
                try
                {
                    return await PushOnceAsync(shard, endpoint, shardKey, commit, payload, description, ct);
                }
                catch (Exception e) when (e is ParameterServerException { Code: ErrorCode.UnknownToken } or LaneException { Code: LaneError.UnknownToken })
                {
                    // The shard moved, or the bytes never arrived whole: nothing was applied; send again.
                }
                catch (LaneException)
                {
                    laneFailed = true;
                }
                if (await NextEndpointAsync(shard, shardKey, endpoint, transfer, retrySameEndpoint: !laneFailed) is not { } next)
                    return null;
                endpoint = next;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(described);
            if (encoded is not null)
                ArrayPool<byte>.Shared.Return(encoded);
        }
    }

    /// <summary>
    /// Pulls the shard's snapshot into <paramref name="rows"/> (all of the shard's values) unless
    /// <paramref name="knownVersion"/> is current. Null when the pull must go in a grain call instead; the rows may then
    /// hold part of a snapshot, so that call must fetch them whole.
    /// </summary>
    public async ValueTask<PullResult?> TryPullAsync(IShardGrain shard, string shardKey, long knownVersion, TensorEncoding encoding, Memory<float> rows, CancellationToken ct)
    {
        if (await _endpoints.GetAsync(shard, shardKey) is not { } endpoint)
            return null;
        var length = (int)PayloadCodec.ByteLength(encoding, rows.Length);
        // fp32 lands in the rows themselves; 16-bit encodings land in a pooled buffer and are widened into them.
        var encoded = encoding == TensorEncoding.Fp32 ? null : ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var destination = encoded is null ? FloatBytes.Of(rows) : encoded.AsMemory(0, length);
            for (var transfer = 1; ; transfer++)
            {
                LaneError failure;
                try
                {
                    var result = await _lanes.PullAsync(endpoint, shardKey, knownVersion, (byte)encoding, destination, ct);
                    if (result.Modified && result.Length != length)
                        throw new ParameterServerException(ErrorCode.WrongLength, $"snapshot of shard {shardKey} is {result.Length} bytes, expected {length}");
                    if (result.Modified && encoded is not null)
                        PayloadCodec.Decode(destination.Span, encoding, rows.Span);
                    return result;
                }
                catch (LaneException e)
                {
                    failure = e.Code;
                }
                // Refused as not hosted there: nothing was written, and the shard's new silo is worth asking. Any other
                // failure may have written part of a snapshot: the next try must receive a whole one.
                if (failure != LaneError.UnknownShard)
                    knownVersion = -1;
                if (await NextEndpointAsync(shard, shardKey, endpoint, transfer, retrySameEndpoint: failure == LaneError.UnknownShard) is not { } next)
                    return null;
                endpoint = next;
            }
        }
        finally
        {
            if (encoded is not null)
                ArrayPool<byte>.Shared.Return(encoded);
        }
    }

    public void Dispose() => _lanes.Dispose();

    /// <summary>
    /// One transfer of a push: the data port's answer, or, when the lane broke after the commit went out, the shard's
    /// answer to committing the token again (the push's first answer when the shard took it, or
    /// <see cref="ErrorCode.UnknownToken"/> when it did not and the bytes are not staged).
    /// </summary>
    private async Task<PushReply> PushOnceAsync(IShardGrain shard, EndPoint endpoint, string shardKey, PushCommit commit,
        ReadOnlyMemory<byte> payload, ReadOnlyMemory<byte> description, CancellationToken ct)
    {
        byte[] answer;
        try
        {
            answer = await _lanes.PushAndCommitAsync(endpoint, shardKey, (byte)commit.Encoding, payload, description, ct);
        }
        catch (LaneException e) when (e.Code == LaneError.Unconfirmed)
        {
            ct.ThrowIfCancellationRequested();
            return await shard.CommitPush(commit with { Token = e.Token });
        }
        return PushCommitCodec.ReadAnswer(answer);
    }

    /// <summary>
    /// The endpoint for the next transfer, resolved anew; null to give up: transfers exhausted, no data port any more,
    /// or lanes to the same endpoint failed already (the lane client has retried them with backoff).
    /// </summary>
    private async ValueTask<EndPoint?> NextEndpointAsync(IShardGrain shard, string shardKey, EndPoint previous, int transfer, bool retrySameEndpoint)
    {
        if (transfer >= MaxTransfers)
            return null;
        var next = await _endpoints.GetAsync(shard, shardKey, refresh: true);
        return next is not null && (retrySameEndpoint || !next.Equals(previous)) ? next : null;
    }
}
