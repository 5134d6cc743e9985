namespace ParameterServer.Workers.Training;

/// <summary>
/// How one worker trains: its index among the job's workers (it trains partition <see cref="Worker"/> of
/// <see cref="Workers"/>), the batch size, the epochs, the seed of the partitions and shuffles, how often it
/// reports progress, and whether it evaluates the model on the test set after each epoch.
/// Example: <c>new TrainingOptions { Worker = 0, Workers = 2, BatchSize = 64, Epochs = 10, Evaluate = true }</c>
/// </summary>
public sealed record TrainingOptions
{
    public int Worker { get; init; }

    public int Workers { get; init; } = 1;

    public int BatchSize { get; init; } = 64;

    public int Epochs { get; init; } = 1;

    public ulong Seed { get; init; } = 1;

    /// <summary>A step record every this many steps (and after the last step of each epoch).</summary>
    public int ProgressEvery { get; init; } = 50;

    /// <summary>Evaluate on the whole test set after each epoch, from freshly pulled parameters.</summary>
    public bool Evaluate { get; init; }

    /// <summary>
    /// Steps per epoch, the same on every worker: enough batches to cover the smallest partition (partitions differ by
    /// at most one sample), so under BSP no worker waits for a peer that has run out of batches.
    /// </summary>
    public int StepsPerEpoch(int trainSamples)
    {
        var smallest = trainSamples / Workers;
        if (smallest < 1)
            throw new ArgumentException($"{trainSamples} training samples cannot be split over {Workers} workers");
        return (smallest + BatchSize - 1) / BatchSize;
    }

    public void Validate()
    {
        if (Workers < 1 || Worker < 0 || Worker >= Workers)
            throw new ArgumentException($"worker {Worker} is not one of 0..{Workers - 1}");
        if (BatchSize < 1 || Epochs < 1 || ProgressEvery < 1)
            throw new ArgumentException($"batch size {BatchSize}, epochs {Epochs} and progress interval {ProgressEvery} must all be at least 1");
    }
}
