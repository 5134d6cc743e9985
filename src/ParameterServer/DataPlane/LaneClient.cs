using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ParameterServer.DataPlane;

/// <summary>
/// Sends pushes, their commits and pulls on lanes to silos' data ports. Per endpoint it keeps a few persistent lanes;
/// each lane carries one exchange at a time (no request ids: a reply echoes its request's token), so concurrent
/// calls spread over the lanes and wait when all are busy. A broken lane is closed and the request retried on a
/// new one, with backoff, up to <see cref="LaneClientOptions.MaxAttempts"/>; so is a push the server refused as
/// busy. Thread-safe.
/// Example: <c>var token = await lanes.SendPushAsync(endpoint, "m/t/0", encoding, gradientBytes);</c>
/// </summary>
public sealed class LaneClient : IDisposable
{
    private readonly LaneClientOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<EndPoint, LanePool> _pools = new();
    private bool _disposed;

    public LaneClient(LaneClientOptions? options = null, ILogger<LaneClient>? logger = null)
    {
        _options = options ?? new LaneClientOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.LanesPerEndpoint, nameof(_options.LanesPerEndpoint));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxAttempts, nameof(_options.MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxPayloadBytes, nameof(_options.MaxPayloadBytes));
        _logger = logger ?? NullLogger<LaneClient>.Instance;
    }

    /// <summary>
    /// Stages <paramref name="payload"/> for shard <paramref name="shardKey"/> on the silo at
    /// <paramref name="endpoint"/> and returns the token the server acknowledged; commit it with the shard's grain
    /// call. Each attempt uses a new random 128-bit token, so a push staged by an attempt whose ack was lost is
    /// never committed and expires. The payload must stay unchanged until the task completes.
    /// Example: <c>var token = await lanes.SendPushAsync(endpoint, "m/t/0", (byte)TensorEncoding.Bf16, bytes);</c>
    /// </summary>
    public Task<Guid> SendPushAsync(EndPoint endpoint, string shardKey, byte encoding, ReadOnlyMemory<byte> payload, CancellationToken ct = default)
    {
        FrameHeader.ValidateShardKey(shardKey);
        if (payload.Length > _options.MaxPayloadBytes)
            throw new LaneException(LaneError.TooLarge, $"push of {payload.Length} bytes to shard {shardKey} exceeds the lane maximum of {_options.MaxPayloadBytes}");
        return ExchangeAsync(endpoint, (shardKey, encoding, payload), static (lane, push, ct) => PushOnceAsync(lane, push.shardKey, push.encoding, push.payload, ct), ct);
    }

    /// <summary>
    /// Stages <paramref name="payload"/> for shard <paramref name="shardKey"/> and has the silo commit it at once: the
    /// commit (<paramref name="commit"/>, which the silo's <see cref="IPushCommitter"/> reads) follows the bytes on the
    /// same lane without waiting for their ack, so a push costs one round trip. Returns the committer's answer. An
    /// attempt that fails before its commit went out is repeated as <see cref="SendPushAsync"/> repeats one; after that
    /// the push may have been applied and is not repeated: the <see cref="LaneException"/> then has the code
    /// <see cref="LaneError.Unconfirmed"/> and the push's token, for the caller to ask the shard.
    /// Example: <c>var answer = await lanes.PushAndCommitAsync(endpoint, "m/t/0", encoding, gradientBytes, commitBytes);</c>
    /// </summary>
    public Task<byte[]> PushAndCommitAsync(EndPoint endpoint, string shardKey, byte encoding, ReadOnlyMemory<byte> payload, ReadOnlyMemory<byte> commit,
        CancellationToken ct = default)
    {
        FrameHeader.ValidateShardKey(shardKey);
        if (payload.Length > _options.MaxPayloadBytes)
            throw new LaneException(LaneError.TooLarge, $"push of {payload.Length} bytes to shard {shardKey} exceeds the lane maximum of {_options.MaxPayloadBytes}");
        if (commit.Length > FrameHeader.MaxCommitBytes)
            throw new ArgumentException($"a commit of {commit.Length} bytes, at most {FrameHeader.MaxCommitBytes}", nameof(commit));
        return ExchangeAsync(endpoint, (shardKey, encoding, payload, commit),
            static (lane, push, ct) => PushAndCommitOnceAsync(lane, push.shardKey, push.encoding, push.payload, push.commit, ct), ct);
    }

    /// <summary>
    /// Receives shard <paramref name="shardKey"/>'s snapshot in <paramref name="encoding"/> straight into
    /// <paramref name="destination"/>, unless the silo's version equals <paramref name="knownVersion"/> (-1: always
    /// receive). After a failure the destination's content is unspecified.
    /// Example: <c>var result = await lanes.PullAsync(endpoint, "m/t/0", cachedVersion, encoding, shardBuffer);</c>
    /// </summary>
    public Task<PullResult> PullAsync(EndPoint endpoint, string shardKey, long knownVersion, byte encoding, Memory<byte> destination, CancellationToken ct = default)
    {
        FrameHeader.ValidateShardKey(shardKey);
        return ExchangeAsync(endpoint, new PullState(shardKey, knownVersion, encoding, destination), static (lane, pull, ct) => PullOnceAsync(lane, pull, ct), ct);
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var pool in _pools.Values)
            pool.Dispose();
    }

    /// <summary>Runs one request/reply on a lane of <paramref name="endpoint"/>, retrying transient failures on fresh lanes.</summary>
    private async Task<TResult> ExchangeAsync<TState, TResult>(
        EndPoint endpoint, TState state, Func<Lane, TState, CancellationToken, ValueTask<TResult>> exchange, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var pool = _pools.GetOrAdd(endpoint, static (endpoint, options) => new LanePool(endpoint, options), _options);
        for (var attempt = 1; ; attempt++)
        {
            Exception failure;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                deadline.CancelAfter(_options.RequestTimeout);
                Lane? lane = null;
                try
                {
                    lane = await pool.AcquireAsync(deadline.Token);
                    var result = await exchange(lane, state, deadline.Token);
                    pool.Release(lane, reusable: true);
                    return result;
                }
                catch (Exception e)
                {
                    if (lane is not null)
                        pool.Release(lane, reusable: e is LaneException { Code: var code } && code.IsRefusal());
                    if (ct.IsCancellationRequested || !IsTransient(e))
                        throw;
                    failure = e;
                }
            }
            if (attempt >= _options.MaxAttempts)
                throw new LaneException(LaneError.Unavailable, $"no lane to {endpoint} after {attempt} attempts: {failure.Message}", failure);
            var delay = _options.RetryBackoff * ((1 << (attempt - 1)) * (0.5 + Random.Shared.NextDouble()));
            _logger.LogInformation("Lane to {Endpoint} failed ({Message}); retry {Attempt} in {Delay}", endpoint, failure.Message, attempt, delay);
            await Task.Delay(delay, ct);
        }
    }

    /// <summary>A broken or timed-out lane, a lost connection, or backpressure: worth another attempt.</summary>
    private static bool IsTransient(Exception e) => e switch
    {
        LaneException lane => lane.Code is LaneError.Truncated or LaneError.Disconnected or LaneError.Busy,
        // Cancellation by the caller was excluded before: this is the attempt's deadline.
        SocketException or IOException or OperationCanceledException => true,
        _ => false,
    };

    private static async ValueTask<Guid> PushOnceAsync(Lane lane, string shardKey, byte encoding, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var token = NewToken();
        await lane.SendAsync(new FrameHeader(FrameKind.PushData, token, shardKey, payload.Length, Encoding: encoding), payload, ct);
        var reply = await ReadReplyAsync(lane, token, ct);
        if (reply.Kind != FrameKind.Ack || reply.PayloadLength != 0)
            throw Unexpected(reply, "an ack");
        return token;
    }

    private static async ValueTask<byte[]> PushAndCommitOnceAsync(Lane lane, string shardKey, byte encoding, ReadOnlyMemory<byte> payload,
        ReadOnlyMemory<byte> commit, CancellationToken ct)
    {
        var token = NewToken();
        // Until its commit goes out a push cannot be applied: a failure up to here is repeated like any push's.
        await lane.SendAsync(new FrameHeader(FrameKind.PushData, token, shardKey, payload.Length, Encoding: encoding), payload, ct);
        try
        {
            await lane.SendAsync(new FrameHeader(FrameKind.Commit, token, shardKey, commit.Length, Encoding: encoding), commit, ct);
            // The push's answer comes first, then the commit's. A refused push (busy) leaves nothing staged, so its
            // commit is refused too; the push's refusal is the one that counts.
            LaneException? refused = null;
            try
            {
                var ack = await ReadReplyAsync(lane, token, ct);
                if (ack.Kind != FrameKind.Ack || ack.PayloadLength != 0)
                    throw Unexpected(ack, "an ack");
            }
            catch (LaneException e) when (e.Code.IsRefusal())
            {
                refused = e;
            }
            FrameHeader reply;
            try
            {
                reply = await ReadReplyAsync(lane, token, ct);
            }
            catch (LaneException e) when (refused is not null && e.Code == LaneError.UnknownToken)
            {
                throw refused;
            }
            if (refused is not null || reply.Kind != FrameKind.Committed)
                throw Unexpected(reply, "a commit's answer");
            if (reply.PayloadLength > FrameHeader.MaxCommitBytes)
                throw new LaneException(LaneError.TooLarge, $"a commit's answer of {reply.PayloadLength} bytes, at most {FrameHeader.MaxCommitBytes}");
            var answer = new byte[reply.PayloadLength];
            await lane.ReadPayloadAsync(answer, ct);
            return answer;
        }
        catch (Exception e) when (e is not LaneException { Code: not LaneError.CommitFailed } refusal || !refusal.Code.IsRefusal())
        {
            // A broken lane, a deadline passed, a failed committer: the commit may have happened.
            throw new LaneException(LaneError.Unconfirmed,
                $"push {token} to shard {shardKey} may have been applied: no answer to its commit ({e.Message})", e) { Token = token };
        }
    }

    private static async ValueTask<PullResult> PullOnceAsync(Lane lane, PullState pull, CancellationToken ct)
    {
        var token = NewToken();
        // An attempt that broke off inside the payload left part of a snapshot in the destination: from then on only
        // a whole snapshot may answer, never "current".
        var knownVersion = pull.Written ? -1 : pull.KnownVersion;
        await lane.SendAsync(new FrameHeader(FrameKind.PullRequest, token, pull.ShardKey, 0, knownVersion, pull.Encoding), default, ct);
        var reply = await ReadReplyAsync(lane, token, ct);
        if (reply.Kind == FrameKind.Ack && reply.PayloadLength == 0)
            return new PullResult(false, reply.Version, 0);
        if (reply.Kind != FrameKind.PullData)
            throw Unexpected(reply, "pull data or an ack");
        if (reply.PayloadLength > pull.Destination.Length)
            throw new LaneException(LaneError.DestinationTooSmall,
                $"snapshot of shard {pull.ShardKey} is {reply.PayloadLength} bytes, the destination {pull.Destination.Length}");
        pull.Written = true;
        await lane.ReadPayloadAsync(pull.Destination[..reply.PayloadLength], ct);
        return new PullResult(true, reply.Version, reply.PayloadLength);
    }

    /// <summary>The reply to the request with <paramref name="token"/>; an error frame becomes a <see cref="LaneException"/>.</summary>
    private static async ValueTask<FrameHeader> ReadReplyAsync(Lane lane, Guid token, CancellationToken ct)
    {
        var reply = await lane.ReadHeaderAsync(ct)
            ?? throw new LaneException(LaneError.Disconnected, $"{lane.Remote} closed the lane before replying");
        if (reply.Kind == FrameKind.Error)
            throw new LaneException(reply.Error, $"{lane.Remote}: {await lane.ReadErrorMessageAsync(reply.PayloadLength, ct)}");
        if (reply.Token != token)
            throw new LaneException(LaneError.UnexpectedFrame, $"{lane.Remote} answered token {reply.Token} to a request with token {token}");
        return reply;
    }

    private static LaneException Unexpected(FrameHeader reply, string expected) =>
        new(LaneError.UnexpectedFrame, $"expected {expected}, got a {reply.Kind} frame of {reply.PayloadLength} bytes");

    /// <summary>A random 128-bit token: unguessable, so one client cannot commit another's push.</summary>
    private static Guid NewToken()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return new Guid(bytes);
    }

    /// <summary>One pull across its attempts.</summary>
    private sealed class PullState(string shardKey, long knownVersion, byte encoding, Memory<byte> destination)
    {
        public string ShardKey { get; } = shardKey;

        public long KnownVersion { get; } = knownVersion;

        public byte Encoding { get; } = encoding;

        public Memory<byte> Destination { get; } = destination;

        /// <summary>Whether an attempt has begun writing the destination.</summary>
        public bool Written { get; set; }
    }
}
