using ParameterServer.Contracts;
using ParameterServer.Workers.Training;

namespace ParameterServer.Workers.Tests.Training;

/// <summary>
/// A worker stopped after <paramref name="clocks"/> clocks, between two of them: once the store has everything for the
/// next clock (under BSP: the last clock's pushes, its report and the pull after it are done), it throws as a cancelled
/// run does.
/// </summary>
internal sealed class StoppingStore(IParameterStore inner, int clocks) : IParameterStore
{
    private int _before;

    public long Clock => inner.Clock;

    public TimeSpan Waited => inner.Waited;

    public WorkerAssignment Assignment => inner.Assignment;

    public Task StartAsync(CancellationToken ct) => inner.StartAsync(ct);

    public async ValueTask BeforeClockAsync(CancellationToken ct)
    {
        await inner.BeforeClockAsync(ct);
        if (++_before > clocks)
            throw new OperationCanceledException($"stopped after {clocks} clocks");
    }

    public ValueTask AfterStepAsync(int partition, CancellationToken ct) => inner.AfterStepAsync(partition, ct);

    public ValueTask EndClockAsync(CancellationToken ct) => inner.EndClockAsync(ct);

    public Task SynchronizeAsync(bool everyWorker, CancellationToken ct) => inner.SynchronizeAsync(everyWorker, ct);

    public Task FinishAsync(CancellationToken ct) => inner.FinishAsync(ct);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
