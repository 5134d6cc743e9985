using ParameterServer.Contracts;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Host.Chaos;

/// <summary>Ways to spoil a valid model spec, each of which a model must refuse with <see cref="ErrorCode.InvalidSpec"/>.</summary>
internal static class InvalidSpecs
{
    private static readonly Func<ModelSpec, ModelSpec>[] ModelDamage =
    [
        s => s with { Name = "" },
        s => s with { Name = "no spaces allowed" },
        s => s with { Name = new string('m', Names.MaxLength + 1) },
        s => s with { Tables = [] },
        s => s with { Tables = null! },
        s => s with { Tables = [null!] },
        s => s with { Tables = [s.Tables[0], s.Tables[0]] },
        s => s with { WorkerLease = TimeSpan.Zero },
        s => s with { WorkerLease = TimeSpan.FromSeconds(-5) },
        s => s with { Consistency = null! },
        s => s with { Consistency = new ConsistencySpec { Mode = (ConsistencyMode)7 } },
        s => s with { Consistency = ConsistencySpec.Bsp with { Staleness = 3 } },
        s => s with { Consistency = ConsistencySpec.Ssp(1) with { Staleness = -1 } },
        // More shards than a model may have: 2^17 rows of one value, one row per shard.
        s => s with { Tables = [new TableSpec { Name = "many", Rows = 1 << 17, Cols = 1, ShardRows = 1 }] },
    ];

    private static readonly Func<TableSpec, TableSpec>[] TableDamage =
    [
        t => t with { Name = "" },
        t => t with { Name = "a/b" },
        t => t with { Rows = 0 },
        t => t with { Rows = -5 },
        t => t with { Cols = 0 },
        t => t with { Cols = int.MaxValue },
        t => t with { ShardRows = -1 },
        t => t with { ShardRows = int.MaxValue },
        t => t with { Initializer = null! },
        t => t with { Initializer = t.Initializer with { Kind = (InitializerKind)99 } },
        t => t with { Initializer = InitializerSpec.Uniform(1f, 1f, 0) },
        t => t with { Initializer = InitializerSpec.Normal(0f, -1f, 0) },
        t => t with { Initializer = InitializerSpec.Constant(float.NaN) },
        t => t with { Optimizer = null! },
        t => t with { Optimizer = t.Optimizer with { Kind = (OptimizerKind)99 } },
        t => t with { Optimizer = t.Optimizer with { LearningRate = float.NaN } },
        t => t with { Optimizer = t.Optimizer with { LearningRate = -1f } },
        t => t with { Optimizer = t.Optimizer with { Momentum = 1f } },
        t => t with { Optimizer = t.Optimizer with { Beta2 = float.PositiveInfinity } },
        t => t with { Optimizer = t.Optimizer with { Epsilon = 0f } },
        t => t with { Optimizer = t.Optimizer with { WeightDecay = -0.1f } },
        t => t with { Optimizer = t.Optimizer with { Schedule = null! } },
        t => t with { Optimizer = t.Optimizer with { Schedule = LearningRateSchedule.StepDecay(0, 0.5f) } },
        t => t with { Optimizer = t.Optimizer with { Schedule = LearningRateSchedule.CosineWithWarmup(10, 10) } },
    ];

    /// <summary><paramref name="valid"/> with one thing wrong, drawn at random: in the model itself or in one of its tables.</summary>
    public static ModelSpec Damage(Random random, ModelSpec valid)
    {
        var pick = random.Next(ModelDamage.Length + TableDamage.Length);
        if (pick < ModelDamage.Length)
            return ModelDamage[pick](valid);
        var tables = valid.Tables.ToArray();
        var at = random.Next(tables.Length);
        tables[at] = TableDamage[pick - ModelDamage.Length](tables[at]);
        return valid with { Tables = tables };
    }
}
