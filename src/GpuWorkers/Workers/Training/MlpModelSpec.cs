using ParameterServer.Contracts;
using ParameterServer.Kernels.Init;
using ParameterServer.Workers.Models;

namespace ParameterServer.Workers.Training;

/// <summary>
/// The parameter-server model of an <see cref="Mlp"/>: one table per parameter, of the same name and shape. Weights
/// that feed a ReLU start He-normal, the last (feeding the softmax) Xavier-uniform, biases at zero; each table draws
/// from its own seed derived from the run's seed. The training set is cut into <c>partitions</c> data partitions (the
/// planned worker count), which the job assigns to its workers. Every worker of a run builds the same spec, so
/// creating it is idempotent.
/// Example: <c>var spec = MlpModelSpec.Create("mnist", mlp, OptimizerSpec.Adam(1e-3f), ConsistencySpec.Bsp, seed: 1, partitions: 2);</c>
/// </summary>
public static class MlpModelSpec
{
    public static ModelSpec Create(string name, Mlp model, OptimizerSpec optimizer, ConsistencySpec consistency, ulong seed, int partitions = 1)
    {
        var linears = model.Layers.OfType<Linear>().ToArray();
        var tables = new List<TableSpec>(2 * linears.Length);
        for (var i = 0; i < linears.Length; i++)
        {
            var weight = linears[i].Weight;
            var weightSeed = CounterRng.Bits(seed, (ulong)i);
            tables.Add(new TableSpec
            {
                Name = weight.Name,
                Rows = weight.Rows,
                Cols = weight.Cols,
                Initializer = i + 1 < linears.Length ? InitializerSpec.He(weightSeed) : InitializerSpec.Xavier(weightSeed),
                Optimizer = optimizer,
            });
            var bias = linears[i].Bias;
            tables.Add(new TableSpec { Name = bias.Name, Rows = bias.Rows, Cols = bias.Cols, Initializer = InitializerSpec.Zeros, Optimizer = optimizer });
        }
        return new ModelSpec { Name = name, Tables = tables, Consistency = consistency, Partitions = partitions };
    }
}
