using Microsoft.Extensions.Logging;
using ParameterServer.Client;
using ParameterServer.Contracts;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Workers.Training;

/// <summary>
/// A worker's membership in a model's job: joined at the job's completed clock, kept alive by heartbeats at a third
/// of the lease (a lost heartbeat or two does not expire it), and ended by leaving, so that BSP and SSP peers stop
/// waiting for this worker's clock and its data partitions go to them. Disposing a membership that has not left (a
/// failed or cancelled run) leaves too, bounded in time; if even that fails, the lease expires. It keeps the newest
/// <see cref="WorkerAssignment"/> the job has sent: with the join, each heartbeat and each clock report (<see cref="Observe"/>).
/// A worker the job dropped while it was alive (a pause, a stalled machine or a cut network longer than its lease) learns
/// it from its next heartbeat or clock report, refused as an unknown worker: it joins again, takes the partitions the
/// job gives it and goes on from the job's clock (<see cref="JoinedAt"/>), instead of failing.
/// Example: <c>await using var member = await JobMembership.JoinAsync(worker, logger, ct); ... await member.LeaveAsync();</c>
/// </summary>
public sealed class JobMembership : IAsyncDisposable
{
    private static readonly TimeSpan _leaveOnDispose = TimeSpan.FromSeconds(5);

    private readonly ModelHandle _worker;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    // One rejoin at a time: the heartbeats and the clock reports may find out together.
    private readonly SemaphoreSlim _rejoin = new(1, 1);
    private readonly Task _heartbeats;
    private WorkerAssignment _assignment;
    private long _joinedAt;
    private int _rejoins;
    private bool _left;

    private JobMembership(ModelHandle worker, JoinReply reply, ILogger logger)
    {
        _worker = worker;
        _logger = logger;
        _assignment = reply.Assignment;
        StartClock = _joinedAt = reply.Clock;
        Lease = reply.Lease;
        _heartbeats = BeatAsync(Lease / 3, _stop.Token);
    }

    /// <summary>The clock this worker starts from: the job's completed clock when it joined (0 for a new job).</summary>
    public long StartClock { get; }

    /// <summary>
    /// The job's clock when it last took this worker in: <see cref="StartClock"/>, or, after the job dropped the worker
    /// and took it back, the clock its peers had reached without it, from which it goes on.
    /// </summary>
    public long JoinedAt => Volatile.Read(ref _joinedAt);

    /// <summary>How many times the job dropped this worker and took it back.</summary>
    public int Rejoins => Volatile.Read(ref _rejoins);

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
    public async Task RefreshAsync(CancellationToken ct)
    {
        var rejoins = Rejoins;
        try
        {
            Observe(await _worker.HeartbeatAsync(_worker.WorkerId, ct));
        }
        catch (ParameterServerException e) when (IsDropped(e))
        {
            await RejoinAsync(rejoins, ct);
        }
    }

    /// <summary>
    /// Reports that this worker finished <paramref name="clock"/> clocks (its pushes of them acknowledged) and keeps the
    /// partitions the reply carries; a worker the job had dropped joins again first.
    /// </summary>
    public async Task ReportClockAsync(long clock, CancellationToken ct)
    {
        var rejoins = Rejoins;
        try
        {
            Observe(await _worker.ReportClockAsync(_worker.WorkerId, clock, ct));
        }
        catch (ParameterServerException e) when (IsDropped(e))
        {
            await RejoinAsync(rejoins, ct);
            // The job keeps the larger of its clock and this one.
            Observe(await _worker.ReportClockAsync(_worker.WorkerId, clock, ct));
        }
    }

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
        _rejoin.Dispose();
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
                    await RefreshAsync(stop);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The next beat may get through; if the lease expires meanwhile, the next beat or clock report rejoins.
                    _logger.LogWarning(e, "Heartbeat of worker {Worker} failed", _worker.WorkerId);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Joins the job again after a call sent when the worker had rejoined <paramref name="rejoinsBefore"/> times was refused
    /// as an unknown worker; a no-op if the heartbeats or the clock reports, which may both find out, rejoined since.
    /// </summary>
    private async Task RejoinAsync(int rejoinsBefore, CancellationToken ct)
    {
        await _rejoin.WaitAsync(ct);
        try
        {
            if (_rejoins != rejoinsBefore)
                return;
            var reply = await _worker.JoinAsync(_worker.WorkerId, ct);
            Volatile.Write(ref _joinedAt, reply.Clock);
            Observe(reply.Assignment);
            Volatile.Write(ref _rejoins, _rejoins + 1);
            Log(reply);
        }
        finally
        {
            _rejoin.Release();
        }
    }

    private void Log(JoinReply reply) =>
        _logger.LogWarning("Worker {Worker} had been dropped by the job (not heard from within its lease of {Lease}: a pause, a stall or a cut network); " +
            "it joined again at the job's clock {Clock} with partitions [{Partitions}]{Evaluates}", _worker.WorkerId, Lease, reply.Clock,
            string.Join(", ", reply.Assignment.Held.Select(p => p.Index)), reply.Assignment.Evaluates ? " and evaluates" : "");

    // Refused as unknown by the job while still a member here; once leaving, a refusal is the answer it should get.
    private bool IsDropped(ParameterServerException e) => e.Code == ErrorCode.UnknownWorker && !_stop.IsCancellationRequested;

    private static bool SameIndices(WorkerAssignment a, WorkerAssignment b) =>
        a.Held.Select(p => p.Index).SequenceEqual(b.Held.Select(p => p.Index));
}
