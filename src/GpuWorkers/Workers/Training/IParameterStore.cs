using ParameterServer.Contracts;

namespace ParameterServer.Workers.Training;

/// <summary>
/// Where a <see cref="Trainer"/>'s parameters come from between steps, where its gradients go, and which data
/// partitions it trains: the parameter server through the GeePS pipeline (<see cref="WorkerPipeline"/>), or an
/// optimizer in this process (<see cref="LocalParameterStore"/>, the baseline without a server). The trainer calls, in
/// order: <see cref="StartAsync"/>; then per clock <see cref="BeforeClockAsync"/>, for each partition it trains at that
/// clock the step's forward and backward pass and <see cref="AfterStepAsync"/>, and <see cref="EndClockAsync"/>;
/// <see cref="SynchronizeAsync"/> before an evaluation; <see cref="FinishAsync"/> at the end.
/// </summary>
public interface IParameterStore : IAsyncDisposable
{
    /// <summary>
    /// The clocks (steps of the job) this worker has finished: where it joined the job (0 for a new job) plus the clocks
    /// ended since; the job's clock, further on, once the job has dropped this worker and taken it back.
    /// </summary>
    long Clock { get; }

    /// <summary>Time the training loop has spent waiting on the parameter server, for the stall fraction.</summary>
    TimeSpan Waited { get; }

    /// <summary>The data partitions this worker trains and whether it evaluates, as the job last said (read at the start of each clock).</summary>
    WorkerAssignment Assignment { get; }

    /// <summary>Takes part in the job and fetches the parameters the first step needs.</summary>
    Task StartAsync(CancellationToken ct);

    /// <summary>
    /// Returns once the device values are the ones the next clock's steps may compute with, or once <see cref="Clock"/>
    /// has moved on (the job took this worker back at a later clock): then the caller starts over at the new clock.
    /// </summary>
    ValueTask BeforeClockAsync(CancellationToken ct);

    /// <summary>
    /// Takes the gradients a step of <paramref name="partition"/> left in the layers' gradient buffers, as that
    /// partition's contribution to the clock being computed; they may be overwritten once it returns.
    /// </summary>
    ValueTask AfterStepAsync(int partition, CancellationToken ct);

    /// <summary>Ends the clock: every step of it is handed over (none for a worker that holds no partition).</summary>
    ValueTask EndClockAsync(CancellationToken ct);

    /// <summary>
    /// Brings the device values up to date for an evaluation: with every update this worker pushed and, when
    /// <paramref name="everyWorker"/>, every other worker's updates through this worker's clock.
    /// </summary>
    Task SynchronizeAsync(bool everyWorker, CancellationToken ct);

    /// <summary>Waits until every gradient handed over is applied and leaves the job.</summary>
    Task FinishAsync(CancellationToken ct);
}
