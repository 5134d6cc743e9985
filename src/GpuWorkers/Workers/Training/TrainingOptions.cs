namespace ParameterServer.Workers.Training;

/// <summary>
/// How one worker trains: its index (it reports progress as that worker; the job's partitions, not the index, say
/// which data it trains), the job's data partitions (the planned worker count), the batch size, the epochs, the seed
/// of the partitions and shuffles, how often it reports progress, and whether it evaluates the model on the test set.
/// Example: <c>new TrainingOptions { Worker = 0, Partitions = 2, BatchSize = 64, Epochs = 10, Evaluate = true }</c>
/// </summary>
public sealed record TrainingOptions
{
    public int Worker { get; init; }

    /// <summary>How many partitions the training set is cut into; the job's <c>ModelSpec.Partitions</c>.</summary>
    public int Partitions { get; init; } = 1;

    public int BatchSize { get; init; } = 64;

    public int Epochs { get; init; } = 1;

    public ulong Seed { get; init; } = 1;

    /// <summary>A step record every this many clocks (and after the last clock of each epoch).</summary>
    public int ProgressEvery { get; init; } = 50;

    /// <summary>
    /// Evaluate on the whole test set, from freshly pulled parameters: after each epoch for which the job names this
    /// worker its evaluator, and after the last epoch in any case.
    /// </summary>
    public bool Evaluate { get; init; }

    /// <summary>
    /// Clocks per epoch, the same for every partition: enough batches to cover the smallest partition (partitions
    /// differ by at most one sample), so under BSP no partition has run out of batches while another has not.
    /// </summary>
    public int StepsPerEpoch(int trainSamples)
    {
        var smallest = trainSamples / Partitions;
        if (smallest < 1)
            throw new ArgumentException($"{trainSamples} training samples cannot be split into {Partitions} partitions");
        return (smallest + BatchSize - 1) / BatchSize;
    }

    public void Validate()
    {
        if (Partitions < 1 || Worker < 0)
            throw new ArgumentException($"worker {Worker} and partitions {Partitions} must be at least 0 and 1");
        if (BatchSize < 1 || Epochs < 1 || ProgressEvery < 1)
            throw new ArgumentException($"batch size {BatchSize}, epochs {Epochs} and progress interval {ProgressEvery} must all be at least 1");
    }
}
