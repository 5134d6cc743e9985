using ParameterServer.Contracts;

namespace ParameterServer.Benchmarks.Scaling;

/// <summary>
/// A model as the scaling model sees it: its tables (one per weight matrix and bias vector, cut into shards by the
/// real slicer, <see cref="TableLayout"/>) and the compute time of one training sample on one machine.
/// </summary>
public sealed record DenseModel(string Name, IReadOnlyList<TableSpec> Tables, double ComputeSecondsPerSample)
{
    /// <summary>Floating-point operations per sample and parameter of a dense layer: 2 forward, 4 backward.</summary>
    public const double FlopsPerParameterPerSample = 6;

    public long Parameters => Tables.Sum(t => t.Elements);

    /// <summary>The bytes of every shard of every table, float32.</summary>
    public IReadOnlyList<long> ShardBytes()
    {
        var shards = new List<long>();
        foreach (var table in Tables)
        {
            var layout = new TableLayout(table);
            for (var s = 0; s < layout.ShardCount; s++)
                shards.Add((long)layout.ShardRange(s).RowCount * table.Cols * sizeof(float));
        }
        return shards;
    }

    /// <summary>An MLP of these layer widths: per layer a (out x in) weight table and a (1 x out) bias table.</summary>
    public static DenseModel Mlp(string name, IReadOnlyList<int> widths, double computeSecondsPerSample)
    {
        var tables = new List<TableSpec>();
        for (var i = 0; i + 1 < widths.Count; i++)
        {
            tables.Add(new TableSpec { Name = $"fc{i + 1}.weight", Rows = widths[i + 1], Cols = widths[i] });
            tables.Add(new TableSpec { Name = $"fc{i + 1}.bias", Rows = 1, Cols = widths[i + 1] });
        }
        return new DenseModel(name, tables, computeSecondsPerSample);
    }
}
