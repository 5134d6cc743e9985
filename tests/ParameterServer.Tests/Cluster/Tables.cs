using ParameterServer.Contracts;

namespace ParameterServer.Tests.Cluster;

/// <summary>Test helpers that create models and move whole tables through the shard grains, slice by slice.</summary>
public static class Tables
{
    /// <summary>A model name no other test uses.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static async Task<ModelSpec> CreateModel(this IGrainFactory grains, string prefix, ConsistencySpec consistency, params TableSpec[] tables)
    {
        var spec = new ModelSpec { Name = UniqueName(prefix), Tables = tables, Consistency = consistency };
        await grains.GetGrain<IModelGrain>(spec.Name).Create(spec);
        return spec;
    }

    public static IShardGrain Shard(this IGrainFactory grains, string model, string table, int shard) =>
        grains.GetGrain<IShardGrain>(TableLayout.ShardKey(model, table, shard));

    /// <summary>All values of a table, in fp32.</summary>
    public static async Task<float[]> PullTable(this IGrainFactory grains, string model, TableSpec table)
    {
        var layout = new TableLayout(table);
        var values = new float[table.Elements];
        await Task.WhenAll(Enumerable.Range(0, layout.ShardCount).Select(async s =>
        {
            var (rowStart, rowCount) = layout.ShardRange(s);
            var reply = await grains.Shard(model, table.Name, s).Pull(new PullRequest { RowCount = rowCount, Encoding = TensorEncoding.Fp32 });
            PayloadCodec.Decode(reply!.Payload, TensorEncoding.Fp32, values.AsSpan(rowStart * table.Cols, rowCount * table.Cols));
        }));
        return values;
    }

    /// <summary>Pushes a gradient for the whole table, one slice per shard, in <paramref name="encoding"/>.</summary>
    public static Task<PushReply[]> PushTable(this IGrainFactory grains, string model, TableSpec table, float[] gradient,
        TensorEncoding encoding = TensorEncoding.Fp32, string workerId = "", long clock = -1)
    {
        var layout = new TableLayout(table);
        return Task.WhenAll(layout.Slice(0, table.Rows).Select(slice => grains.Shard(model, table.Name, slice.Shard).Push(new PushRequest
        {
            WorkerId = workerId,
            Clock = clock,
            RowOffset = slice.RowOffset,
            RowCount = slice.RowCount,
            Encoding = encoding,
            Payload = PayloadCodec.Encode(gradient.AsSpan(slice.RequestOffset * table.Cols, slice.RowCount * table.Cols), encoding),
        })));
    }

    public static Task<ShardInfo[]> ShardInfos(this IGrainFactory grains, string model, TableSpec table) =>
        Task.WhenAll(Enumerable.Range(0, new TableLayout(table).ShardCount).Select(s => grains.Shard(model, table.Name, s).GetInfo()));
}
