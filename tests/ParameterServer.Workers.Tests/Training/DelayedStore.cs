using ParameterServer.Contracts;
using ParameterServer.Workers.Training;

namespace ParameterServer.Workers.Tests.Training;

/// <summary>A slow worker: its store takes <paramref name="delay"/> longer after each step, as if its steps were slower.</summary>
internal sealed class DelayedStore(IParameterStore inner, TimeSpan delay) : IParameterStore
{
    public long Clock => inner.Clock;

    public TimeSpan Waited => inner.Waited;

    public WorkerAssignment Assignment => inner.Assignment;

    public Task StartAsync(CancellationToken ct) => inner.StartAsync(ct);

    public ValueTask BeforeClockAsync(CancellationToken ct) => inner.BeforeClockAsync(ct);

    public async ValueTask AfterStepAsync(int partition, CancellationToken ct)
    {
        await Task.Delay(delay, ct);
        await inner.AfterStepAsync(partition, ct);
    }

    public ValueTask EndClockAsync(CancellationToken ct) => inner.EndClockAsync(ct);

    public Task SynchronizeAsync(bool everyWorker, CancellationToken ct) => inner.SynchronizeAsync(everyWorker, ct);

    public Task FinishAsync(CancellationToken ct) => inner.FinishAsync(ct);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
