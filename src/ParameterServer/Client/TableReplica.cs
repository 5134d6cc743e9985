using ParameterServer.Contracts;

namespace ParameterServer.Client;

/// <summary>
/// A caller-owned copy of a whole table with the version of each shard it holds. <see cref="RefreshAsync"/> fetches
/// only the shards whose version moved on, so a worker's parameter cache pulls what changed since its last step and
/// learns which shards to copy onward (to device memory). Not safe for concurrent refreshes of the same replica.
/// </summary>
/// <example><c>var w = model.CreateReplica("embedding"); var changed = await w.RefreshAsync();</c></example>
public sealed class TableReplica
{
    /// <summary>The version of a shard the replica has never fetched.</summary>
    /// <example><c>if (replica.Version(0) == TableReplica.NotFetched) { }</c></example>
    public const long NotFetched = -1;

    private readonly TableShards _table;
    private readonly ShardSlice[] _shards;
    private readonly long[] _versions;

    internal TableReplica(TableShards table, Memory<float> values, TensorEncoding encoding)
    {
        if (values.Length != table.Spec.Elements)
            throw new ParameterServerException(ErrorCode.WrongLength, $"a replica of table '{table.Spec.Name}' needs {table.Spec.Elements} values, the buffer holds {values.Length}");
        encoding.ElementSize();
        _table = table;
        _shards = table.Layout.Slice(0, table.Spec.Rows);
        _versions = new long[_shards.Length];
        Values = values;
        Encoding = encoding;
        Invalidate();
    }

    /// <summary>The table's name.</summary>
    /// <example><c>Console.WriteLine(replica.Table);</c></example>
    public string Table => _table.Spec.Name;

    /// <summary>How the table's rows are cut into shards.</summary>
    /// <example><c>var (start, count) = replica.Layout.ShardRange(2);</c></example>
    public TableLayout Layout => _table.Layout;

    /// <summary>The values, rows x cols in row-major order, as of the last refresh of each shard.</summary>
    /// <example><c>var w00 = replica.Values.Span[0];</c></example>
    public Memory<float> Values { get; }

    /// <summary>How values travel on refresh; fixed per replica, so a version always names values of one precision.</summary>
    /// <example><c>var e = replica.Encoding;</c></example>
    public TensorEncoding Encoding { get; }

    /// <summary>The version of <paramref name="shard"/> the replica holds, or <see cref="NotFetched"/>.</summary>
    /// <example><c>var v = replica.Version(0);</c></example>
    public long Version(int shard) => _versions[shard];

    /// <summary>Forgets every version, so the next refresh fetches every shard.</summary>
    /// <example><c>replica.Invalidate();</c></example>
    public void Invalidate() => Array.Fill(_versions, NotFetched);

    /// <summary>
    /// Fetches the shards that changed since the versions held (all of them the first time), in parallel, and
    /// returns their indices in ascending order; an empty list means the replica was current.
    /// </summary>
    /// <example><c>foreach (var s in await replica.RefreshAsync()) CopyToDevice(replica, s);</c></example>
    public async Task<IReadOnlyList<int>> RefreshAsync(CancellationToken ct = default)
    {
        var fetched = new bool[_shards.Length];
        await ShardFanOut.ForEachAsync(_shards, ct, async (slice, token) =>
        {
            long? version;
            try
            {
                version = await _table.PullSliceAsync(slice, Values, _versions[slice.Shard], Encoding, token);
            }
            catch
            {
                // A pull that failed part way may have overwritten some of the shard's values: fetch it whole next time.
                _versions[slice.Shard] = NotFetched;
                throw;
            }
            if (version is { } v)
            {
                _versions[slice.Shard] = v;
                fetched[slice.Shard] = true;
            }
        });
        var changed = new List<int>();
        for (var s = 0; s < fetched.Length; s++)
            if (fetched[s]) changed.Add(s);
        return changed;
    }
}
