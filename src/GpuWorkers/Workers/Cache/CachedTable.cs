using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Kernels.Devices;
using ParameterServer.Workers.Models;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Workers.Cache;

/// <summary>
/// One table of the <see cref="ParameterCache"/>: the layer's device values and gradient, the host staging that pulls
/// land in (a <see cref="TableReplica"/>, which knows the version of each shard it holds), which pulled shards still
/// have to reach the device, and one gradient staging buffer per slot, so that a step's gradient can be copied out
/// while the previous step's is still being pushed.
/// </summary>
internal sealed class CachedTable : IDisposable
{
    private readonly IDevice _device;
    private readonly ModelHandle _model;
    private readonly HostStaging _values;
    private readonly HostStaging[] _gradients;
    private readonly TableReplica _replica;
    // Shards pulled into the staging area since the last copy to the device.
    private readonly bool[] _pulled;

    public CachedTable(ModelHandle model, ParameterTable table, IDevice device, TensorEncoding encoding, int gradientSlots)
    {
        var spec = model.Spec.FindTable(table.Name)
            ?? throw new ParameterServerException(ErrorCode.UnknownTable, $"model '{model.Name}' has no table '{table.Name}' for the layer parameter {table}");
        if (spec.Rows != table.Rows || spec.Cols != table.Cols)
            throw new ParameterServerException(ErrorCode.SpecMismatch, $"table '{table.Name}' of model '{model.Name}' is {spec.Rows} x {spec.Cols}; the layer needs {table.Rows} x {table.Cols}");
        _device = device;
        _model = model;
        Table = table;
        Encoding = encoding;
        _values = HostStaging.Allocate(device, table.Length);
        _gradients = new HostStaging[gradientSlots];
        for (var slot = 0; slot < gradientSlots; slot++)
            _gradients[slot] = HostStaging.Allocate(device, table.Length);
        _replica = model.CreateReplica(table.Name, _values.Memory, encoding);
        _pulled = new bool[_replica.Layout.ShardCount];
    }

    public ParameterTable Table { get; }

    public TensorEncoding Encoding { get; }

    public TableLayout Layout => _replica.Layout;

    /// <summary>The version of <paramref name="shard"/> in the staging area, or <see cref="TableReplica.NotFetched"/>.</summary>
    public long Version(int shard) => _replica.Version(shard);

    /// <summary>Pulls the shards whose version moved on into the staging area; returns how many.</summary>
    public async Task<int> PullAsync(CancellationToken ct)
    {
        var changed = await _replica.RefreshAsync(ct);
        foreach (var shard in changed) _pulled[shard] = true;
        return changed.Count;
    }

    /// <summary>Copies the shards pulled since the last call into the device values; returns how many.</summary>
    public int CopyToDevice()
    {
        var copied = 0;
        var cols = Table.Cols;
        for (var shard = 0; shard < _pulled.Length; shard++)
        {
            if (!_pulled[shard]) continue;
            var (rowStart, rowCount) = Layout.ShardRange(shard);
            _device.CopyToDevice<float>(_values.Span.Slice(rowStart * cols, rowCount * cols), Table.Value, (long)rowStart * cols);
            _pulled[shard] = false;
            copied++;
        }
        return copied;
    }

    /// <summary>Copies the device gradient into the staging buffer of <paramref name="slot"/>; waits for the device.</summary>
    public void StageGradient(int slot) => _device.CopyToHost(Table.Gradient, _gradients[slot].Span);

    /// <summary>
    /// Pushes the gradient staged in <paramref name="slot"/> for <paramref name="clock"/> as <paramref name="contributor"/>'s
    /// (null: the cache's own handle's), each shard's rows in parallel.
    /// </summary>
    public Task PushAsync(int slot, long clock, ModelHandle? contributor, CancellationToken ct) =>
        (contributor ?? _model).PushAsync(Table.Name, _gradients[slot].Memory, rowStart: 0, clock, Encoding, ct);

    public void Dispose()
    {
        _values.Dispose();
        foreach (var gradient in _gradients) gradient.Dispose();
    }
}
