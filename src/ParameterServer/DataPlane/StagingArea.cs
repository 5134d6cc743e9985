using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ParameterServer.DataPlane;

/// <summary>
/// Pushes received on lanes and not yet committed, by token. A token is taken once, by the shard it was sent to;
/// pushes nobody commits within <see cref="Expiry"/> are dropped and their buffers returned, so a client that
/// crashed or retried with a new token costs memory only for a while. Memory is capped by <see cref="Pool"/>.
/// </summary>
public sealed class StagingArea : IDisposable
{
    private readonly ConcurrentDictionary<Guid, StagedPush> _staged = new();
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;
    private readonly ILogger _logger;

    public StagingArea(long capacityBytes, TimeSpan expiry, TimeProvider? time = null, ILogger<StagingArea>? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(expiry, TimeSpan.Zero);
        Pool = new BufferPool(capacityBytes);
        Expiry = expiry;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<StagingArea>.Instance;
        // Expiry is checked exactly on take; the sweep only gives memory back, so half the expiry is often enough.
        _sweeper = _time.CreateTimer(static area => ((StagingArea)area!).RemoveExpired(), this, expiry / 2, expiry / 2);
    }

    public BufferPool Pool { get; }

    public TimeSpan Expiry { get; }

    /// <summary>Pushes staged and not yet taken or swept.</summary>
    public int Count => _staged.Count;

    /// <summary>
    /// Holds <paramref name="length"/> bytes of <paramref name="buffer"/> (rented from <see cref="Pool"/>) under
    /// <paramref name="token"/>; the area owns the buffer from here. False when the token is already staged:
    /// the buffer then goes straight back to the pool. <paramref name="screened"/>: see <see cref="StagedPush.Screened"/>.
    /// </summary>
    public bool TryStage(Guid token, string shardKey, byte encoding, byte[] buffer, int length, bool screened = false)
    {
        var push = new StagedPush(Pool, token, shardKey, encoding, buffer, length, screened, _time.GetTimestamp());
        if (_staged.TryAdd(token, push))
            return true;
        push.Dispose();
        return false;
    }

    /// <summary>Whether a push is staged under <paramref name="token"/> for <paramref name="shardKey"/> (expired or not).</summary>
    public bool Holds(Guid token, string shardKey) => _staged.TryGetValue(token, out var staged) && staged.ShardKey == shardKey;

    /// <summary>
    /// Takes the push staged under <paramref name="token"/> for <paramref name="shardKey"/>, once. The caller applies
    /// it, then disposes it to return the buffer. A wrong shard key leaves the push staged.
    /// </summary>
    public TakeResult TryTake(Guid token, string shardKey, out StagedPush? push)
    {
        push = null;
        if (!_staged.TryGetValue(token, out var staged) || IsExpired(staged))
            return TakeResult.UnknownToken;
        if (staged.ShardKey != shardKey)
        {
            _logger.LogWarning("Refused token {Token}: staged for shard {Staged}, taken for {Shard}", token, staged.ShardKey, shardKey);
            return TakeResult.WrongShard;
        }
        // Another taker or the sweep may have won the race since the lookup.
        if (!_staged.TryRemove(new KeyValuePair<Guid, StagedPush>(token, staged)))
            return TakeResult.UnknownToken;
        push = staged;
        return TakeResult.Taken;
    }

    /// <summary>Drops pushes staged longer than <see cref="Expiry"/> and returns their buffers; also runs on a timer.</summary>
    public int RemoveExpired()
    {
        var removed = 0;
        var bytes = 0L;
        foreach (var entry in _staged)
        {
            if (IsExpired(entry.Value) && _staged.TryRemove(entry))
            {
                removed++;
                bytes += entry.Value.Length;
                entry.Value.Dispose();
            }
        }
        if (removed > 0)
            _logger.LogWarning("Dropped {Count} uncommitted pushes ({Bytes} bytes) staged longer than {Expiry}", removed, bytes, Expiry);
        return removed;
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (var entry in _staged)
        {
            if (_staged.TryRemove(entry))
                entry.Value.Dispose();
        }
    }

    private bool IsExpired(StagedPush push) => _time.GetElapsedTime(push.StagedAt) >= Expiry;
}
