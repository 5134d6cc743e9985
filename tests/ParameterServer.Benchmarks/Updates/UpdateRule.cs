using ParameterServer.Kernels.Updates;

namespace ParameterServer.Benchmarks.Updates;

/// <summary>An optimizer as the server applies it to a shard, vectorized and as the scalar reference.</summary>
public sealed record UpdateRule(string Name, int Slots, Action<ShardArrays> Apply, Action<ShardArrays> Reference)
{
    /// <summary>1M floats: a 4 MiB shard, the middle of the 1-4 MiB target.</summary>
    public const int ShardLength = 1 << 20;

    private const float Lr = 1e-3f, WeightDecay = 1e-2f, Mu = 0.9f, Beta1 = 0.9f, Beta2 = 0.999f, Eps = 1e-8f;

    /// <summary>Bytes of memory traffic per parameter: w, g and every slot read; w and every slot written.</summary>
    public int BytesPerParameter => sizeof(float) * ((2 + Slots) + (1 + Slots));

    public static IReadOnlyList<UpdateRule> All { get; } =
    [
        new("SGD", 0,
            s => Sgd.Apply(s.W, s.G, Lr, WeightDecay),
            s => Sgd.Reference(s.W, s.G, Lr, WeightDecay)),
        new("Momentum", 1,
            s => Momentum.Apply(s.W, s.G, s.Slots[0], Lr, Mu, false, WeightDecay),
            s => Momentum.Reference(s.W, s.G, s.Slots[0], Lr, Mu, false, WeightDecay)),
        new("Nesterov", 1,
            s => Momentum.Apply(s.W, s.G, s.Slots[0], Lr, Mu, true, WeightDecay),
            s => Momentum.Reference(s.W, s.G, s.Slots[0], Lr, Mu, true, WeightDecay)),
        new("Adagrad", 1,
            s => Adagrad.Apply(s.W, s.G, s.Slots[0], Lr, Eps, WeightDecay),
            s => Adagrad.Reference(s.W, s.G, s.Slots[0], Lr, Eps, WeightDecay)),
        new("Adam", 2,
            s => Adam.Apply(s.W, s.G, s.Slots[0], s.Slots[1], Lr, Beta1, Beta2, Eps, WeightDecay, false, s.NextStep()),
            s => Adam.Reference(s.W, s.G, s.Slots[0], s.Slots[1], Lr, Beta1, Beta2, Eps, WeightDecay, false, s.NextStep())),
        new("AdamW", 2,
            s => Adam.Apply(s.W, s.G, s.Slots[0], s.Slots[1], Lr, Beta1, Beta2, Eps, WeightDecay, true, s.NextStep()),
            s => Adam.Reference(s.W, s.G, s.Slots[0], s.Slots[1], Lr, Beta1, Beta2, Eps, WeightDecay, true, s.NextStep())),
    ];

    public override string ToString() => Name;
}
