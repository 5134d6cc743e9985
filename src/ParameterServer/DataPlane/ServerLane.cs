using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace ParameterServer.DataPlane;

/// <summary>
/// The server end of one lane: reads frames one at a time, stages pushes straight into pooled buffers, passes their
/// commits to the committer, answers pulls from the snapshot source. A frame that was read whole and refused gets an
/// error frame and the lane goes on; a frame that breaks the stream (bad magic, version, checksum or length;
/// truncated) gets a last error frame and the lane is closed. Nothing here throws past <see cref="Completion"/>.
/// </summary>
internal sealed class ServerLane
{
    /// <summary>How long a closing lane waits for its peer to read the last error frame.</summary>
    private static readonly TimeSpan _closeLinger = TimeSpan.FromSeconds(2);

    private readonly Lane _lane;
    private readonly StagingArea _staging;
    private readonly ISnapshotSource _snapshots;
    private readonly IPushCommitter _committer;
    private readonly LaneServerOptions _options;
    private readonly LaneCounters _counters;
    private readonly ILogger _logger;
    // A commit and its answer, read and written one at a time; allocated with the lane's first commit.
    private byte[]? _commit;
    private byte[]? _answer;

    public ServerLane(Lane lane, StagingArea staging, ISnapshotSource snapshots, IPushCommitter committer, LaneServerOptions options, LaneCounters counters, ILogger logger)
    {
        _lane = lane;
        _staging = staging;
        _snapshots = snapshots;
        _committer = committer;
        _options = options;
        _counters = counters;
        _logger = logger;
    }

    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start(Action<ServerLane> closed, CancellationToken shutdown) => Completion = RunAsync(closed, shutdown);

    private async Task RunAsync(Action<ServerLane> closed, CancellationToken shutdown)
    {
        using var frameDeadline = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        try
        {
            // Lanes are persistent: waiting for the next frame has no deadline; a frame, from its first byte (a header that
            // stops half-way too), has one.
            while (true)
            {
                await _lane.WaitForFrameAsync(shutdown);
                frameDeadline.CancelAfter(_options.FrameTimeout);
                if (await _lane.ReadHeaderAsync(frameDeadline.Token) is not { } header)
                    break;
                await HandleAsync(header, frameDeadline.Token);
                frameDeadline.CancelAfter(Timeout.InfiniteTimeSpan);
            }
        }
        catch (LaneException e)
        {
            _logger.LogWarning("Lane {Remote}: {Code}: {Message}; closing the lane", _lane.Remote, e.Code, e.Message);
            _counters.CountRefusal();
            await CloseWithErrorAsync(e.Code, e.Message);
        }
        catch (OperationCanceledException) when (!shutdown.IsCancellationRequested)
        {
            _logger.LogWarning("Lane {Remote}: a frame took longer than {Timeout}; closing the lane", _lane.Remote, _options.FrameTimeout);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            _logger.LogDebug("Lane {Remote} closed: {Message}", _lane.Remote, e.Message);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Lane {Remote} failed; closing the lane", _lane.Remote);
        }
        finally
        {
            _lane.Dispose();
            closed(this);
        }
    }

    private ValueTask HandleAsync(FrameHeader header, CancellationToken ct) => header.Kind switch
    {
        FrameKind.PushData => ReceivePushAsync(header, ct),
        FrameKind.Commit => CommitAsync(header, ct),
        FrameKind.PullRequest => AnswerPullAsync(header, ct),
        _ => RefuseAsync(header, LaneError.BadKind, $"frame kind {(byte)header.Kind} is neither a push, a commit nor a pull request", ct),
    };

    private async ValueTask ReceivePushAsync(FrameHeader header, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(header.ShardKey))
        {
            await RefuseAsync(header, LaneError.BadShardKey, "a push needs a shard key in UTF-8", ct);
            return;
        }
        var pool = _staging.Pool;
        if (!pool.TryRent(header.PayloadLength, out var buffer))
        {
            await RefuseAsync(header, LaneError.Busy,
                $"staging is full ({pool.RentedBytes} of {pool.CapacityBytes} bytes held, {header.PayloadLength} more asked): retry later", ct);
            return;
        }
        bool screened;
        try
        {
            screened = await _lane.ReadPayloadAsync(buffer.AsMemory(0, header.PayloadLength), _committer, header.Encoding, ct);
        }
        catch
        {
            pool.Return(buffer); // a partial push is never staged
            throw;
        }
        if (!_staging.TryStage(header.Token, header.ShardKey, header.Encoding, buffer, header.PayloadLength, screened))
        {
            await AnswerErrorAsync(header, LaneError.DuplicateToken, $"token {header.Token} is already staged", ct);
            return;
        }
        _counters.CountPush(header.PayloadLength);
        await _lane.SendAsync(new FrameHeader(FrameKind.Ack, header.Token, "", 0), default, ct);
    }

    /// <summary>
    /// Commits a staged push through the committer and sends its answer. A commit for a token not staged here (its push
    /// was refused, or went elsewhere) is refused without asking the committer.
    /// </summary>
    private async ValueTask CommitAsync(FrameHeader header, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(header.ShardKey))
        {
            await RefuseAsync(header, LaneError.BadShardKey, "a commit needs a shard key in UTF-8", ct);
            return;
        }
        if (header.PayloadLength > FrameHeader.MaxCommitBytes)
        {
            await RefuseAsync(header, LaneError.Refused, $"a commit carries at most {FrameHeader.MaxCommitBytes} bytes, this one {header.PayloadLength}", ct);
            return;
        }
        _commit ??= new byte[FrameHeader.MaxCommitBytes];
        _answer ??= new byte[FrameHeader.MaxCommitBytes];
        var commit = _commit.AsMemory(0, header.PayloadLength);
        await _lane.ReadPayloadAsync(commit, ct);
        if (!_staging.Holds(header.Token, header.ShardKey))
        {
            await AnswerErrorAsync(header, LaneError.UnknownToken, $"no push is staged under token {header.Token} for shard {header.ShardKey}", ct);
            return;
        }
        int length;
        try
        {
            length = await _committer.CommitAsync(header.Token, header.ShardKey, header.Encoding, commit, _answer, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogError(e, "Commit of push {Token} to shard {Shard} failed", header.Token, header.ShardKey);
            _counters.CountRefusal();
            await _lane.SendErrorAsync(header.Token, LaneError.CommitFailed, $"commit of push {header.Token} to shard {header.ShardKey} failed: {e.Message}", ct);
            return;
        }
        await _lane.SendAsync(new FrameHeader(FrameKind.Committed, header.Token, "", length), _answer.AsMemory(0, length), ct);
    }

    private async ValueTask AnswerPullAsync(FrameHeader header, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(header.ShardKey))
        {
            await RefuseAsync(header, LaneError.BadShardKey, "a pull request needs a shard key in UTF-8", ct);
            return;
        }
        if (header.PayloadLength != 0)
        {
            await RefuseAsync(header, LaneError.Refused, $"a pull request carries no payload, this one {header.PayloadLength} bytes", ct);
            return;
        }
        ShardSnapshot snapshot;
        try
        {
            snapshot = await _snapshots.GetSnapshotAsync(header.ShardKey, header.Version, header.Encoding, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogError(e, "Snapshot of shard {Shard} failed", header.ShardKey);
            _counters.CountRefusal();
            await _lane.SendErrorAsync(header.Token, LaneError.SnapshotFailed, $"snapshot of shard {header.ShardKey} failed: {e.Message}", ct);
            return;
        }
        using (snapshot.Lease)
        {
            if (snapshot.Error != LaneError.None)
                await AnswerErrorAsync(header, snapshot.Error, snapshot.Message ?? snapshot.Error.ToString(), ct);
            else if (!snapshot.Modified)
                await _lane.SendAsync(new FrameHeader(FrameKind.Ack, header.Token, "", 0, snapshot.Version), default, ct);
            else if (snapshot.Bytes.Length > _options.MaxPayloadBytes)
                await AnswerErrorAsync(header, LaneError.Refused,
                    $"snapshot of shard {header.ShardKey} is {snapshot.Bytes.Length} bytes, over the lane maximum of {_options.MaxPayloadBytes}", ct);
            else
            {
                // Counted as it is answered, before the client can have it all: whoever reads the counters after a pull sees it.
                _counters.CountPull(snapshot.Bytes.Length);
                await _lane.SendAsync(new FrameHeader(FrameKind.PullData, header.Token, "", snapshot.Bytes.Length, snapshot.Version, header.Encoding), snapshot.Bytes, ct);
            }
        }
    }

    /// <summary>Refuses a frame whose payload is still unread: drops the payload, so the lane stays in step, then answers.</summary>
    private async ValueTask RefuseAsync(FrameHeader header, LaneError code, string message, CancellationToken ct)
    {
        await _lane.SkipPayloadAsync(header.PayloadLength, ct);
        await AnswerErrorAsync(header, code, message, ct);
    }

    private ValueTask AnswerErrorAsync(FrameHeader header, LaneError code, string message, CancellationToken ct)
    {
        // Backpressure, a moved shard and the commit of a push refused for either are routine; anything else is a client
        // or a shard in trouble.
        var level = code is LaneError.Busy or LaneError.UnknownShard or LaneError.UnknownToken ? LogLevel.Debug : LogLevel.Warning;
        _logger.Log(level, "Lane {Remote}: refused frame {Token} for shard {Shard}: {Code}: {Message}", _lane.Remote, header.Token, header.ShardKey, code, message);
        _counters.CountRefusal();
        return _lane.SendErrorAsync(header.Token, code, message, ct);
    }

    /// <summary>Sends a last error frame for a stream that cannot be trusted, then closes the lane.</summary>
    private async Task CloseWithErrorAsync(LaneError code, string message)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_closeLinger);
            await _lane.SendErrorAsync(Guid.Empty, code, message, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return; // the peer is gone already
        }
        await _lane.CloseGracefullyAsync(_closeLinger);
    }
}
