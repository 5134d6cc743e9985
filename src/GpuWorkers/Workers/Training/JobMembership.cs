using Microsoft.Extensions.Logging;
using ParameterServer.Client;
using ParameterServer.Contracts;

namespace ParameterServer.Workers.Training;

/// <summary>
/// A worker's membership in a model's job: joined at the job's completed clock, kept alive by heartbeats at a third
/// of the lease (a lost heartbeat or two does not expire it), and ended by leaving, so that BSP and SSP peers stop
/// waiting for this worker's clock and its data partitions go to them. Disposing a membership that has not left (a
/// failed or cancelled run) leaves too, bounded in time; if even that fails, the lease expires. It keeps the newest
/// <see cref="WorkerAssignment"/> the job has sent: with the join, each heartbeat and each clock report (<see cref="Observe"/>).
/// Example: <c>await using var member = await JobMembership.JoinAsync(worker, logger, ct); ... await member.LeaveAsync();</c>
/// </summary>
public sealed class JobMembership : IAsyncDisposable
{
    private static readonly TimeSpan _leaveOnDispose = TimeSpan.FromSeconds(5);

    private readonly ModelHandle _worker;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _heartbeats;
    private WorkerAssignment _assignment;
    private bool _left;

    private JobMembership(ModelHandle worker, JoinReply reply, ILogger logger)
    {
        _worker = worker;
        _logger = logger;
        _assignment = reply.Assignment;
        StartClock = reply.Clock;
        Lease = reply.Lease;
        _heartbeats = BeatAsync(Lease / 3, _stop.Token);
    }

    /// <summary>The clock this worker starts from: the job's completed clock when it joined (0 for a new job).</summary>
    public long StartClock { get; }

    /// <summary>How long the job keeps this worker without a heartbeat.</summary>
    public TimeSpan Lease { get; }

    /// <summary>The data partitions the job gives this worker, as of the newest reply seen.</summary>
    public WorkerAssignment Assignment => Volatile.Read(ref _assignment);

    /// <summary>Joins the job as <paramref name="worker"/>'s <see cref="ModelHandle.WorkerId"/> and starts the heartbeats.</summary>
    public static async Task<JobMembership> JoinAsync(ModelHandle worker, ILogger logger, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(worker.WorkerId, nameof(worker));
        var reply = await worker.JoinAsync(worker.WorkerId, ct);
        return new JobMembership(worker, reply, logger);
    }

    /// <summary>Keeps <paramref name="assignment"/> if it is newer than the one held (replies may arrive out of order).</summary>
    public void Observe(WorkerAssignment assignment)
    {
        var held = Volatile.Read(ref _assignment);
        while (assignment.Version > held.Version)
        {
            var seen = Interlocked.CompareExchange(ref _assignment, assignment, held);
            if (seen == held)
            {
                if (!SameIndices(held, assignment))
                    _logger.LogInformation("Worker {Worker} now holds partitions [{Partitions}] of {Count}", _worker.WorkerId,
                        string.Join(", ", assignment.Held.Select(p => p.Index)), assignment.Partitions);
                return;
            }
            held = seen;
        }
    }

    /// <summary>Asks the job for this worker's partitions now (a heartbeat).</summary>
    public async Task RefreshAsync(CancellationToken ct) => Observe(await _worker.HeartbeatAsync(_worker.WorkerId, ct));

    /// <summary>Stops the heartbeats and leaves the job.</summary>
    public async Task LeaveAsync(CancellationToken ct = default)
    {
        await StopHeartbeatsAsync();
        await _worker.LeaveAsync(_worker.WorkerId, ct);
        _left = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_left)
        {
            try
            {
                using var timeout = new CancellationTokenSource(_leaveOnDispose);
                await LeaveAsync(timeout.Token);
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Worker {Worker} could not leave; the job counts it until its lease of {Lease} expires", _worker.WorkerId, Lease);
            }
        }
        await StopHeartbeatsAsync();
        _stop.Dispose();
    }

    private async Task StopHeartbeatsAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync();
        await _heartbeats;
    }

    private async Task BeatAsync(TimeSpan period, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    Observe(await _worker.HeartbeatAsync(_worker.WorkerId, stop));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The next beat may get through; if the lease expires, the next clock report says so.
                    _logger.LogWarning(e, "Heartbeat of worker {Worker} failed", _worker.WorkerId);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static bool SameIndices(WorkerAssignment a, WorkerAssignment b) =>
        a.Held.Select(p => p.Index).SequenceEqual(b.Held.Select(p => p.Index));
}
