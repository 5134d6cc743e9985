using ParameterServer.Workers.Training;

namespace ParameterServer.Workers.Tests.Training;

/// <summary>
/// A worker stopped after <paramref name="steps"/> steps, between two steps: once the store has everything for the next
/// step (under BSP: the last step's push, its clock and the pull after it are done), it throws as a cancelled run does.
/// </summary>
internal sealed class StoppingStore(IParameterStore inner, int steps) : IParameterStore
{
    private int _before;

    public long StartClock => inner.StartClock;

    public TimeSpan Waited => inner.Waited;

    public Task StartAsync(CancellationToken ct) => inner.StartAsync(ct);

    public async ValueTask BeforeStepAsync(CancellationToken ct)
    {
        await inner.BeforeStepAsync(ct);
        if (++_before > steps)
            throw new OperationCanceledException($"stopped after {steps} steps");
    }

    public ValueTask AfterStepAsync(CancellationToken ct) => inner.AfterStepAsync(ct);

    public Task SynchronizeAsync(bool everyWorker, CancellationToken ct) => inner.SynchronizeAsync(everyWorker, ct);

    public Task FinishAsync(CancellationToken ct) => inner.FinishAsync(ct);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
