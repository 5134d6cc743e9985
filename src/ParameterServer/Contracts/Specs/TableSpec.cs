namespace ParameterServer.Contracts;

/// <summary>
/// A dense rows x cols float32 table. Its rows are cut into shards of <see cref="ShardRows"/> contiguous
/// rows (0 picks a size near <see cref="Limits.DefaultShardBytes"/>). For weight matrices the convention is
/// PyTorch's: rows = fan-out, cols = fan-in.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TableSpec
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required int Rows { get; init; }
    [Id(2)] public required int Cols { get; init; }
    [Id(3)] public InitializerSpec Initializer { get; init; } = InitializerSpec.Zeros;
    [Id(4)] public OptimizerSpec Optimizer { get; init; } = OptimizerSpec.Sgd(0.01f);
    [Id(5)] public int ShardRows { get; init; }

    public long Elements => (long)Rows * Cols;

    public void Validate()
    {
        Names.Validate(Name, "table");
        if (Rows <= 0 || Cols <= 0)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{Name}': shape {Rows}x{Cols} must be positive");
        if ((long)Cols * sizeof(float) > Limits.MaxShardBytes)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{Name}': one row of {Cols} floats exceeds the shard limit of {Limits.MaxShardBytes} bytes");
        if (ShardRows < 0 || (long)ShardRows * Cols * sizeof(float) > Limits.MaxShardBytes)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{Name}': {ShardRows} rows per shard exceeds the shard limit of {Limits.MaxShardBytes} bytes");
        if (Initializer is null || Optimizer is null)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{Name}' has no initializer or no optimizer");
        Initializer.Validate(Name);
        Optimizer.Validate(Name);
    }
}
