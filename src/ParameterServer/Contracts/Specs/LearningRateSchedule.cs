namespace ParameterServer.Contracts;

[GenerateSerializer]
public enum ScheduleKind
{
    /// <summary>lr(t) = lr.</summary>
    Constant = 0,
    /// <summary>lr(t) = lr * Gamma ^ floor(t / StepSize).</summary>
    Step = 1,
    /// <summary>Linear warm-up over WarmupSteps, then cosine decay from lr to MinLearningRate at TotalSteps.</summary>
    Cosine = 2,
}

/// <summary>
/// The learning rate as a function of the shard's update count t (0 for the first update).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LearningRateSchedule
{
    [Id(0)] public ScheduleKind Kind { get; init; }
    [Id(1)] public long StepSize { get; init; } = 1;
    [Id(2)] public float Gamma { get; init; } = 1f;
    [Id(3)] public long WarmupSteps { get; init; }
    [Id(4)] public long TotalSteps { get; init; } = 1;
    [Id(5)] public float MinLearningRate { get; init; }

    public static LearningRateSchedule Constant { get; } = new();
    public static LearningRateSchedule StepDecay(long stepSize, float gamma) => new() { Kind = ScheduleKind.Step, StepSize = stepSize, Gamma = gamma };
    public static LearningRateSchedule CosineWithWarmup(long warmupSteps, long totalSteps, float minLearningRate = 0) => new() { Kind = ScheduleKind.Cosine, WarmupSteps = warmupSteps, TotalSteps = totalSteps, MinLearningRate = minLearningRate };

    /// <summary>The learning rate for the update with 0-based index <paramref name="t"/>.</summary>
    public float At(float baseRate, long t)
    {
        switch (Kind)
        {
            case ScheduleKind.Step:
                return baseRate * MathF.Pow(Gamma, t / StepSize);
            case ScheduleKind.Cosine:
                if (t < WarmupSteps) return baseRate * (t + 1) / WarmupSteps;
                var progress = Math.Min(1.0, (double)(t - WarmupSteps) / (TotalSteps - WarmupSteps));
                return (float)(MinLearningRate + (baseRate - MinLearningRate) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
            default:
                return baseRate;
        }
    }

    public void Validate(string table)
    {
        if (!Enum.IsDefined(Kind))
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{table}': unknown schedule {(int)Kind}");
        if (StepSize <= 0 || !float.IsFinite(Gamma) || Gamma <= 0)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{table}': step schedule needs step size > 0 and gamma > 0");
        if (WarmupSteps < 0 || TotalSteps <= 0 || (Kind == ScheduleKind.Cosine && WarmupSteps >= TotalSteps))
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{table}': cosine schedule needs 0 <= warm-up < total steps");
        if (!float.IsFinite(MinLearningRate) || MinLearningRate < 0)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{table}': minimum learning rate must be >= 0");
    }
}
