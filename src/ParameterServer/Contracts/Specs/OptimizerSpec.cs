namespace ParameterServer.Contracts;

[GenerateSerializer]
public enum OptimizerKind
{
    /// <summary>w -= lr * (g + wd * w).</summary>
    Sgd = 0,
    /// <summary>Heavy-ball momentum (PyTorch form), optionally Nesterov: b = mu * b + g; w -= lr * b (or lr * (g + mu * b)).</summary>
    Momentum = 1,
    /// <summary>Adagrad: s += g^2; w -= lr * g / (sqrt(s) + eps).</summary>
    Adagrad = 2,
    /// <summary>Adam with bias correction; weight decay added to the gradient (L2).</summary>
    Adam = 3,
    /// <summary>AdamW: Adam with decoupled weight decay, w -= lr * wd * w.</summary>
    AdamW = 4,
}

/// <summary>The update rule a shard applies when a gradient arrives, with its hyper-parameters.</summary>
[GenerateSerializer, Immutable]
public sealed record OptimizerSpec
{
    [Id(0)] public OptimizerKind Kind { get; init; }
    [Id(1)] public float LearningRate { get; init; } = 0.01f;
    [Id(2)] public float Momentum { get; init; } = 0.9f;
    [Id(3)] public bool Nesterov { get; init; }
    [Id(4)] public float Beta1 { get; init; } = 0.9f;
    [Id(5)] public float Beta2 { get; init; } = 0.999f;
    [Id(6)] public float Epsilon { get; init; } = 1e-8f;
    [Id(7)] public float WeightDecay { get; init; }
    [Id(8)] public float InitialAccumulator { get; init; }
    [Id(9)] public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    public static OptimizerSpec Sgd(float lr, float weightDecay = 0) => new() { Kind = OptimizerKind.Sgd, LearningRate = lr, WeightDecay = weightDecay };
    public static OptimizerSpec WithMomentum(float lr, float momentum = 0.9f, bool nesterov = false) => new() { Kind = OptimizerKind.Momentum, LearningRate = lr, Momentum = momentum, Nesterov = nesterov };
    public static OptimizerSpec Adagrad(float lr, float epsilon = 1e-10f) => new() { Kind = OptimizerKind.Adagrad, LearningRate = lr, Epsilon = epsilon };
    public static OptimizerSpec Adam(float lr, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f) => new() { Kind = OptimizerKind.Adam, LearningRate = lr, Beta1 = beta1, Beta2 = beta2, Epsilon = epsilon };
    public static OptimizerSpec AdamW(float lr, float weightDecay = 0.01f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f) => new() { Kind = OptimizerKind.AdamW, LearningRate = lr, WeightDecay = weightDecay, Beta1 = beta1, Beta2 = beta2, Epsilon = epsilon };

    /// <summary>Number of per-element slots the optimizer keeps beside the values (momentum, m and v, ...).</summary>
    public int SlotCount => Kind switch
    {
        OptimizerKind.Sgd => 0,
        OptimizerKind.Momentum or OptimizerKind.Adagrad => 1,
        _ => 2,
    };

    public void Validate(string table)
    {
        static bool Finite(float x) => float.IsFinite(x);
        if (!Enum.IsDefined(Kind))
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{table}': unknown optimizer {(int)Kind}");
        if (!Finite(LearningRate) || LearningRate < 0)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{table}': learning rate must be finite and >= 0");
        if (!Finite(Momentum) || Momentum < 0 || Momentum >= 1)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{table}': momentum must be in [0, 1)");
        if (!Finite(Beta1) || Beta1 < 0 || Beta1 >= 1 || !Finite(Beta2) || Beta2 < 0 || Beta2 >= 1)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{table}': betas must be in [0, 1)");
        if (!Finite(Epsilon) || Epsilon <= 0)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{table}': epsilon must be > 0");
        if (!Finite(WeightDecay) || WeightDecay < 0)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{table}': weight decay must be >= 0");
        if (!Finite(InitialAccumulator) || InitialAccumulator < 0)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{table}': initial accumulator must be >= 0");
        if (Schedule is null)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{table}': the optimizer has no learning-rate schedule");
        Schedule.Validate(table);
    }
}
