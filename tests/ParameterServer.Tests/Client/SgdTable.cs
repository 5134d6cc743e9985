using ParameterServer.Contracts;
using ParameterServer.Tests.Cluster;

namespace ParameterServer.Tests.Client;

/// <summary>
/// A 6 x 2 table of ones under SGD with lr 0.5, in shards of 4 rows (shard 0: rows 0-3, shard 1: rows 4-5), and a
/// gradient whose update is exact in binary, so tests compare pulled values with numbers worked out by hand.
/// </summary>
internal static class SgdTable
{
    public static readonly TableSpec Spec = new()
    {
        Name = "w", Rows = 6, Cols = 2, ShardRows = 4,
        Initializer = InitializerSpec.Constant(1f), Optimizer = OptimizerSpec.Sgd(0.5f),
    };

    public static readonly float[] Gradient = [0.25f, -0.5f, 1, 2, 0, 0.125f, 4, -4, 0.5f, 0.75f, -1, 3];

    /// <summary>w = 1 - 0.5 g. Sums of squares: shard 0 (first 8 values) 0.765625 + 1.5625 + 0.25 + 0 + 1 + 0.87890625
    /// + 1 + 9 = 14.45703125; shard 1 (last 4) 0.5625 + 0.390625 + 2.25 + 0.25 = 3.453125; table 17.91015625.</summary>
    public static readonly float[] AfterOnePush = [0.875f, 1.25f, 0.5f, 0, 1, 0.9375f, -1, 3, 0.75f, 0.625f, 1.5f, -0.5f];

    public const double SumOfSquaresAfterOnePush = 17.91015625;

    /// <summary>A model of this one table under a name no other test uses.</summary>
    public static ModelSpec Model(string prefix, ConsistencySpec consistency) =>
        new() { Name = Tables.UniqueName(prefix), Consistency = consistency, Tables = [Spec] };
}
