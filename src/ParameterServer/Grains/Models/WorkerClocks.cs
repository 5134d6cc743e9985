using ParameterServer.Contracts;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Grains.Models;

/// <summary>
/// The live workers of a job with their clocks and leases. The minimum clock over them gates SSP and BSP; a
/// worker that leaves or whose lease runs out stops counting.
/// </summary>
public sealed class WorkerClocks
{
    private readonly Dictionary<string, Worker> _workers = new(StringComparer.Ordinal);

    public int Count => _workers.Count;

    public bool Contains(string workerId) => _workers.ContainsKey(workerId);

    /// <summary>The smallest clock of the live workers; null when none is live.</summary>
    public long? MinClock => _workers.Count == 0 ? null : _workers.Values.Min(w => w.Clock);

    public long? MaxClock => _workers.Count == 0 ? null : _workers.Values.Max(w => w.Clock);

    /// <summary>Adds a worker at <paramref name="clock"/>, or renews one already there; returns the worker's clock.</summary>
    public long Join(string workerId, long clock, DateTimeOffset now)
    {
        if (_workers.TryGetValue(workerId, out var worker))
        {
            worker.LastHeartbeat = now;
            return worker.Clock;
        }
        _workers[workerId] = new Worker { Clock = clock, LastHeartbeat = now };
        return clock;
    }

    /// <summary>
    /// Whether <paramref name="id"/> is a live worker or one of a live worker's contributor ids, "{worker}.{suffix}"
    /// (worker ids may hold dots themselves: every prefix ending before a dot is tried).
    /// </summary>
    public bool IsContributor(string? id)
    {
        if (string.IsNullOrEmpty(id)) return false;
        var workers = _workers.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var end = id.Length; end > 0; end = id.LastIndexOf('.', end - 1))
        {
            if (workers.ContainsKey(id.AsSpan(0, end))) return true;
        }
        return false;
    }

    public void Heartbeat(string workerId, DateTimeOffset now) => Find(workerId).LastHeartbeat = now;

    /// <summary>Removes a worker; returns its clock, or null when it was not there.</summary>
    public long? Leave(string? workerId) => workerId is not null && _workers.Remove(workerId, out var worker) ? worker.Clock : null;

    /// <summary>Records that a worker finished <paramref name="clock"/>; a late or repeated report never moves a clock back.</summary>
    public void Report(string workerId, long clock, DateTimeOffset now)
    {
        var worker = Find(workerId);
        worker.Clock = Math.Max(worker.Clock, clock);
        worker.LastHeartbeat = now;
    }

    /// <summary>Removes the workers not heard from for longer than <paramref name="lease"/>; returns them with their clocks.</summary>
    public IReadOnlyList<(string WorkerId, long Clock)> Expire(DateTimeOffset now, TimeSpan lease)
    {
        List<(string, long)>? expired = null;
        foreach (var (id, worker) in _workers)
        {
            if (now - worker.LastHeartbeat > lease && _workers.Remove(id))
                (expired ??= []).Add((id, worker.Clock));
        }
        return expired ?? [];
    }

    /// <summary>The live workers and their clocks.</summary>
    public IReadOnlyDictionary<string, long> Clocks() => _workers.ToDictionary(w => w.Key, w => w.Value.Clock, StringComparer.Ordinal);

    public IReadOnlyList<WorkerStatus> Statuses() =>
        _workers.Select(w => new WorkerStatus { WorkerId = w.Key, Clock = w.Value.Clock, LastHeartbeat = w.Value.LastHeartbeat })
            .OrderBy(w => w.WorkerId, StringComparer.Ordinal)
            .ToArray();

    private Worker Find(string? workerId) =>
        workerId is not null && _workers.TryGetValue(workerId, out var worker)
            ? worker
            : throw new ParameterServerException(ErrorCode.UnknownWorker, $"worker '{workerId}' is not a member of the job (never joined, left, or its lease expired)");

    private sealed class Worker
    {
        public long Clock { get; set; }
        public DateTimeOffset LastHeartbeat { get; set; }
    }
}
