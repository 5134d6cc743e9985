namespace ParameterServer.Contracts;

[GenerateSerializer]
public enum InitializerKind
{
    /// <summary>All zeros.</summary>
    Zeros = 0,
    /// <summary>All equal to <see cref="InitializerSpec.A"/>.</summary>
    Constant = 1,
    /// <summary>Uniform on [A, B).</summary>
    Uniform = 2,
    /// <summary>Normal with mean A and standard deviation B.</summary>
    Normal = 3,
    /// <summary>Glorot/Xavier uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out)), fan_in = cols, fan_out = rows.</summary>
    XavierUniform = 4,
    /// <summary>He/Kaiming normal: N(0, 2 / fan_in), fan_in = cols.</summary>
    HeNormal = 5,
}

/// <summary>
/// How a table's values start. Element (r, c) draws from a counter-based generator keyed by
/// (Seed, r * cols + c), so the values do not depend on how the table is sharded.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record InitializerSpec
{
    [Id(0)] public InitializerKind Kind { get; init; }
    [Id(1)] public ulong Seed { get; init; }
    [Id(2)] public float A { get; init; }
    [Id(3)] public float B { get; init; }

    public static InitializerSpec Zeros { get; } = new() { Kind = InitializerKind.Zeros };
    public static InitializerSpec Constant(float value) => new() { Kind = InitializerKind.Constant, A = value };
    public static InitializerSpec Uniform(float low, float high, ulong seed) => new() { Kind = InitializerKind.Uniform, A = low, B = high, Seed = seed };
    public static InitializerSpec Normal(float mean, float std, ulong seed) => new() { Kind = InitializerKind.Normal, A = mean, B = std, Seed = seed };
    public static InitializerSpec Xavier(ulong seed) => new() { Kind = InitializerKind.XavierUniform, Seed = seed };
    public static InitializerSpec He(ulong seed) => new() { Kind = InitializerKind.HeNormal, Seed = seed };

    public void Validate(string table)
    {
        if (!Enum.IsDefined(Kind))
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{table}': unknown initializer {(int)Kind}");
        if (!float.IsFinite(A) || !float.IsFinite(B))
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{table}': initializer parameters must be finite");
        if (Kind == InitializerKind.Uniform && !(B > A))
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{table}': uniform initializer needs low < high");
        if (Kind == InitializerKind.Normal && B < 0)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{table}': normal initializer needs std >= 0");
    }
}
