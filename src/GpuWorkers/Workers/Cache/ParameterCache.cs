using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Kernels.Devices;
using ParameterServer.Workers.Models;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Workers.Cache;

/// <summary>
/// A worker's cache of a model's parameters (GeePS): the values the layers compute with live on the device; pulls
/// land in host staging (page-locked on CUDA) and reach the device only between steps, shard by shard and only the
/// shards whose version changed; gradients leave the device through staging, are encoded and pushed per shard in
/// parallel. Pulls, pushes and copies must not overlap with one another on the same cache: the
/// <see cref="Training.WorkerPipeline"/> orders them. Each layer's <see cref="ParameterTable"/> is the server table of
/// the same name.
/// Example: <c>using var cache = new ParameterCache(model, mlp.Parameters, device); await cache.PullAsync(ct); cache.CopyToDevice();</c>
/// </summary>
public sealed class ParameterCache : IDisposable
{
    /// <summary>Gradient staging buffers per table: one step's gradient is copied out while the previous one is pushed.</summary>
    public const int GradientSlots = 2;

    private readonly CachedTable[] _tables;

    /// <summary>
    /// A cache of <paramref name="tables"/> on <paramref name="device"/>; every table must exist on the server with
    /// the same shape (<see cref="ErrorCode.UnknownTable"/>, <see cref="ErrorCode.SpecMismatch"/>). Values and gradients
    /// travel in <paramref name="encoding"/>.
    /// </summary>
    public ParameterCache(ModelHandle model, IReadOnlyList<ParameterTable> tables, IDevice device, TensorEncoding encoding = TensorEncoding.Fp32)
    {
        ArgumentNullException.ThrowIfNull(model);
        encoding.ElementSize();
        var cached = new List<CachedTable>(tables.Count);
        try
        {
            foreach (var table in tables)
                cached.Add(new CachedTable(model, table, device, encoding, GradientSlots));
        }
        catch
        {
            foreach (var table in cached) table.Dispose();
            throw;
        }
        _tables = [.. cached];
    }

    /// <summary>The encoding of pushes and pulls.</summary>
    public TensorEncoding Encoding => _tables[0].Encoding;

    /// <summary>The version of a shard of a table as last pulled, or <see cref="TableReplica.NotFetched"/>.</summary>
    public long Version(string table, int shard) => Find(table).Version(shard);

    /// <summary>Pulls the shards of every table that changed since their last pull into host staging, in parallel; returns how many shards.</summary>
    public async Task<int> PullAsync(CancellationToken ct = default)
    {
        var pulls = new Task<int>[_tables.Length];
        for (var t = 0; t < _tables.Length; t++) pulls[t] = _tables[t].PullAsync(ct);
        var shards = 0;
        foreach (var count in await Task.WhenAll(pulls)) shards += count;
        return shards;
    }

    /// <summary>Copies every shard pulled since the last call into the device values (call it between steps); returns how many.</summary>
    public int CopyToDevice()
    {
        var shards = 0;
        foreach (var table in _tables) shards += table.CopyToDevice();
        return shards;
    }

    /// <summary>Copies every table's device gradient into the staging buffers of <paramref name="slot"/>.</summary>
    public void StageGradients(int slot)
    {
        CheckSlot(slot);
        foreach (var table in _tables) table.StageGradient(slot);
    }

    /// <summary>
    /// Pushes the gradients staged in <paramref name="slot"/> as <paramref name="clock"/>'s, every table and shard in
    /// parallel, under <paramref name="contributor"/>'s worker id (null: the handle the cache was made with). A BSP shard
    /// averages a clock over its contributors, so a worker that trains several data partitions pushes each one's
    /// gradient as its own contributor.
    /// </summary>
    public Task PushAsync(int slot, long clock, ModelHandle? contributor = null, CancellationToken ct = default)
    {
        CheckSlot(slot);
        var pushes = new Task[_tables.Length];
        for (var t = 0; t < _tables.Length; t++) pushes[t] = _tables[t].PushAsync(slot, clock, contributor, ct);
        return Task.WhenAll(pushes);
    }

    public void Dispose()
    {
        foreach (var table in _tables) table.Dispose();
    }

    private CachedTable Find(string table) =>
        Array.Find(_tables, t => t.Table.Name == table)
        ?? throw new ParameterServerException(ErrorCode.UnknownTable, $"the cache holds no table '{table}'");

    private static void CheckSlot(int slot) =>
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)slot, (uint)GradientSlots, nameof(slot));
}
