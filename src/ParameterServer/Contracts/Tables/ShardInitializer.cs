using ParameterServer.Kernels.Init;

namespace ParameterServer.Contracts;

/// <summary>
/// A shard's initial values from its table's <see cref="InitializerSpec"/>. Element (r, c) is drawn at global
/// index r * cols + c, so the values do not depend on how the table is sharded (a whole table is its one shard
/// from row 0, as the standalone trainer uses it).
/// </summary>
public static class ShardInitializer
{
    /// <summary>Fills rows [rowStart, rowStart + values.Length / cols) of <paramref name="table"/>.</summary>
    public static void Fill(Span<float> values, TableSpec table, int rowStart)
    {
        var init = table.Initializer;
        var first = (long)rowStart * table.Cols;
        switch (init.Kind)
        {
            case InitializerKind.Zeros:
                values.Clear();
                break;
            case InitializerKind.Constant:
                values.Fill(init.A);
                break;
            case InitializerKind.Uniform:
                Initializers.Uniform(values, first, init.Seed, init.A, init.B);
                break;
            case InitializerKind.Normal:
                Initializers.Normal(values, first, init.Seed, init.A, init.B);
                break;
            case InitializerKind.XavierUniform:
                var limit = Initializers.XavierLimit(fanIn: table.Cols, fanOut: table.Rows);
                Initializers.Uniform(values, first, init.Seed, -limit, limit);
                break;
            case InitializerKind.HeNormal:
                Initializers.Normal(values, first, init.Seed, 0f, Initializers.HeStd(fanIn: table.Cols));
                break;
            default:
                throw new ParameterServerException(ErrorCode.InvalidSpec, $"table '{table.Name}': unknown initializer {(int)init.Kind}");
        }
    }
}
