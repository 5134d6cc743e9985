using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ParameterServer.DataPlane;

/// <summary>
/// A silo's data port: accepts lanes, stages the pushes they carry in <see cref="Staging"/> for the shards to
/// commit by token (the commits that follow pushes on lanes go to an <see cref="IPushCommitter"/>), and answers
/// pulls from an <see cref="ISnapshotSource"/>. Bad frames are answered with an error frame and logged; they close at
/// most their own lane. Past <see cref="LaneServerOptions.MaxLanes"/> open lanes a new connection is closed at once
/// (clients then use grain calls), and failing accepts are retried after a growing pause.
/// Example: <c>await using var server = new LaneServer(new LaneServerOptions { Port = 0 }, snapshots, committer); server.Start();</c>
/// </summary>
public sealed class LaneServer : IAsyncDisposable
{
    private readonly LaneServerOptions _options;
    private readonly ISnapshotSource _snapshots;
    private readonly IPushCommitter _committer;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _shutdown = new();
    // The lanes being served (a set: the values are unused), so that disposal can wait for them.
    private readonly ConcurrentDictionary<ServerLane, byte> _lanes = new();
    private Socket? _listener;
    private Task _accepting = Task.CompletedTask;
    private long _lanesAccepted;
    private bool _disposed;

    public LaneServer(LaneServerOptions options, ISnapshotSource snapshots, IPushCommitter committer, ILoggerFactory? loggers = null, TimeProvider? time = null)
    {
        Validate(options);
        _options = options;
        _snapshots = snapshots;
        _committer = committer;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<LaneServer>();
        Staging = new StagingArea(options.StagingCapacityBytes, options.StagingExpiry, time, _loggers.CreateLogger<StagingArea>());
    }

    /// <summary>Pushes received and waiting for their commit: the shard side takes them by token.</summary>
    public StagingArea Staging { get; }

    /// <summary>
    /// The bound address and port once started; null before, or when the data port is off. Bound to any address,
    /// the silo advertises its own address with this port.
    /// </summary>
    public IPEndPoint? Endpoint { get; private set; }

    /// <summary>Lanes accepted since start.</summary>
    public long LanesAccepted => Interlocked.Read(ref _lanesAccepted);

    /// <summary>Pushes staged and pulls served since start.</summary>
    public LaneCounters Counters { get; } = new();

    /// <summary>Binds the data port and starts accepting lanes; does nothing when <see cref="LaneServerOptions.Enabled"/> is off.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_listener is not null)
            throw new InvalidOperationException("the lane server is already started");
        if (!_options.Enabled)
        {
            _logger.LogInformation("Data port is off: pushes and pulls go through grain calls");
            return;
        }
        var listener = new Socket(_options.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(_options.Address, _options.Port));
            listener.Listen();
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        Endpoint = (IPEndPoint)listener.LocalEndPoint!;
        _accepting = AcceptAsync(listener, _shutdown.Token);
        _logger.LogInformation("Lane server listening on {Endpoint}", Endpoint);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        _shutdown.Cancel();
        _listener?.Dispose();
        await _accepting;
        // The accept loop has stopped, so the set no longer grows; each lane leaves it when its task ends.
        await Task.WhenAll(_lanes.Keys.Select(lane => lane.Completion));
        Staging.Dispose();
        _shutdown.Dispose();
    }

    private async Task AcceptAsync(Socket listener, CancellationToken ct)
    {
        var backoff = new AcceptBackoff();
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(ct);
                backoff.Succeeded();
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors, say: the connection stays queued and the next accept would fail at once.
                var pause = backoff.Failed();
                _logger.LogWarning(e, "Lane server on {Endpoint}: accept failed; next try in {Pause} ms", Endpoint, pause.TotalMilliseconds);
                try
                {
                    await Task.Delay(pause, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            if (_lanes.Count >= _options.MaxLanes)
            {
                _logger.LogWarning("Lane server on {Endpoint}: connection from {Remote} refused: {Lanes} lanes are open, the most it serves (MaxLanes)",
                    Endpoint, socket.RemoteEndPoint, _options.MaxLanes);
                socket.Dispose();
                continue;
            }
            Interlocked.Increment(ref _lanesAccepted);
            var lane = new ServerLane(new Lane(socket, _options.MaxPayloadBytes), Staging, _snapshots, _committer, _options, Counters, _logger);
            _lanes.TryAdd(lane, 0);
            lane.Start(closed => _lanes.TryRemove(closed, out _), ct);
        }
    }

    private static void Validate(LaneServerOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port, nameof(options.Port));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, IPEndPoint.MaxPort, nameof(options.Port));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxPayloadBytes, nameof(options.MaxPayloadBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxLanes, nameof(options.MaxLanes));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.FrameTimeout, TimeSpan.Zero, nameof(options.FrameTimeout));
        // Buffers are pooled power-of-two arrays: the cap must hold at least one of the largest.
        var largestBuffer = (long)BitOperations.RoundUpToPowerOf2((uint)options.MaxPayloadBytes);
        if (options.StagingCapacityBytes < largestBuffer)
            throw new ArgumentOutOfRangeException(nameof(options.StagingCapacityBytes), options.StagingCapacityBytes,
                $"the staging cap must hold one buffer of the largest payload ({options.MaxPayloadBytes} bytes, pooled as {largestBuffer})");
    }
}
