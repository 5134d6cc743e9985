namespace ParameterServer.Contracts;

/// <summary>One shard's part of a row range: rows [RowOffset, RowOffset + RowCount) of the shard, which are
/// rows [RequestOffset, RequestOffset + RowCount) of the request.</summary>
public readonly record struct ShardSlice(int Shard, int RowOffset, int RowCount, int RequestOffset);

/// <summary>
/// The slicer: how a table's rows map onto shards of contiguous rows. Clients and silos compute it from the
/// spec alone, so it never travels.
/// </summary>
public sealed class TableLayout
{
    public TableLayout(TableSpec spec)
    {
        Spec = spec;
        ShardRows = spec.ShardRows > 0
            ? Math.Min(spec.ShardRows, spec.Rows)
            : (int)Math.Clamp(Limits.DefaultShardBytes / ((long)spec.Cols * sizeof(float)), 1, spec.Rows);
        ShardCount = (spec.Rows + ShardRows - 1) / ShardRows;
    }

    public TableSpec Spec { get; }
    public int ShardRows { get; }
    public int ShardCount { get; }

    public (int RowStart, int RowCount) ShardRange(int shard)
    {
        if ((uint)shard >= (uint)ShardCount)
            throw new ParameterServerException(ErrorCode.UnknownShard, $"table '{Spec.Name}' has {ShardCount} shards, not shard {shard}");
        var start = shard * ShardRows;
        return (start, Math.Min(ShardRows, Spec.Rows - start));
    }

    /// <summary>Cuts rows [rowStart, rowStart + rowCount) into per-shard slices, in row order.</summary>
    public ShardSlice[] Slice(int rowStart, int rowCount)
    {
        CheckRows(rowStart, rowCount);
        var first = rowStart / ShardRows;
        var last = (rowStart + rowCount - 1) / ShardRows;
        var slices = new ShardSlice[last - first + 1];
        for (var s = first; s <= last; s++)
        {
            var (start, count) = ShardRange(s);
            var lo = Math.Max(start, rowStart);
            var hi = Math.Min(start + count, rowStart + rowCount);
            slices[s - first] = new ShardSlice(s, lo - start, hi - lo, lo - rowStart);
        }
        return slices;
    }

    public void CheckRows(int rowStart, int rowCount)
    {
        if (rowStart < 0 || rowCount <= 0 || (long)rowStart + rowCount > Spec.Rows)
            throw new ParameterServerException(ErrorCode.RowsOutOfRange, $"rows [{rowStart}, {(long)rowStart + rowCount}) are outside table '{Spec.Name}' of {Spec.Rows} rows");
    }

    public static string ShardKey(string model, string table, int shard) => $"{model}/{table}/{shard}";

    /// <summary>Splits "{model}/{table}/{shard}" into its parts.</summary>
    public static (string Model, string Table, int Shard) ParseShardKey(string key)
    {
        var parts = key.Split('/');
        if (parts.Length != 3 || !int.TryParse(parts[2], out var shard) || shard < 0)
            throw new ParameterServerException(ErrorCode.UnknownShard, $"'{key}' is not a shard key of the form model/table/shard");
        return (parts[0], parts[1], shard);
    }
}
