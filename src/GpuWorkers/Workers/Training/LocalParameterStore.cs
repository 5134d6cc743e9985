using ParameterServer.Contracts;
using ParameterServer.Kernels.Devices;
using ParameterServer.Workers.Cache;
using ParameterServer.Workers.Models;

namespace ParameterServer.Workers.Training;

/// <summary>
/// Training without a parameter server, the baseline of the overhead benchmark: each table's fp32 master values and
/// optimizer live in this process, start from the table's initializer, and take every step's gradient with the
/// shards' own <see cref="Updater"/> (one update per step, as a BSP shard applies one per clock). It trains every data
/// partition of the spec (one when the spec assigns none) and evaluates. The gradients and values cross the same host
/// staging as the parameter cache's, so the two differ only by the server.
/// Example: <c>await using var store = new LocalParameterStore(spec, mlp.Parameters, device);</c>
/// </summary>
public sealed class LocalParameterStore : IParameterStore
{
    private readonly IDevice _device;
    private readonly LocalTable[] _tables;

    /// <summary>Tables of <paramref name="spec"/> for the layers' <paramref name="tables"/> (same names and shapes).</summary>
    public LocalParameterStore(ModelSpec spec, IReadOnlyList<ParameterTable> tables, IDevice device)
    {
        spec.Validate();
        _device = device;
        _tables = new LocalTable[tables.Count];
        for (var t = 0; t < tables.Count; t++)
        {
            var table = tables[t];
            var tableSpec = spec.FindTable(table.Name);
            if (tableSpec is null || tableSpec.Rows != table.Rows || tableSpec.Cols != table.Cols)
                throw new ArgumentException($"model '{spec.Name}' has no table '{table.Name}' of {table.Rows} x {table.Cols}", nameof(spec));
            _tables[t] = new LocalTable(table, tableSpec, device);
        }
        var partitions = Math.Max(1, spec.Partitions);
        Assignment = new WorkerAssignment
        {
            Partitions = partitions,
            Held = [.. Enumerable.Range(0, partitions).Select(p => new HeldPartition { Index = p })],
            Evaluates = true,
        };
    }

    public long Clock { get; private set; }

    public TimeSpan Waited => TimeSpan.Zero;

    public WorkerAssignment Assignment { get; }

    /// <summary>How many updates each table has taken.</summary>
    public long Version { get; private set; }

    public Task StartAsync(CancellationToken ct)
    {
        foreach (var table in _tables)
        {
            ShardInitializer.Fill(table.Values.Span, table.Spec, rowStart: 0);
            _device.CopyToDevice<float>(table.Values.Span, table.Parameter.Value);
        }
        return Task.CompletedTask;
    }

    public ValueTask BeforeClockAsync(CancellationToken ct) => ValueTask.CompletedTask;

    public ValueTask AfterStepAsync(int partition, CancellationToken ct)
    {
        foreach (var table in _tables)
        {
            var values = table.Values.Span;
            _device.CopyToHost(table.Parameter.Gradient, table.Gradient.Span);
            table.Updater.Apply(values, table.Gradient.Span, offset: 0, Version);
            _device.CopyToDevice<float>(values, table.Parameter.Value);
        }
        Version++;
        return ValueTask.CompletedTask;
    }

    public ValueTask EndClockAsync(CancellationToken ct)
    {
        Clock++;
        return ValueTask.CompletedTask;
    }

    public Task SynchronizeAsync(bool everyWorker, CancellationToken ct) => Task.CompletedTask;

    public Task FinishAsync(CancellationToken ct) => Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        foreach (var table in _tables) table.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class LocalTable(ParameterTable parameter, TableSpec spec, IDevice device) : IDisposable
    {
        public ParameterTable Parameter { get; } = parameter;
        public TableSpec Spec { get; } = spec;
        public HostStaging Values { get; } = HostStaging.Allocate(device, parameter.Length);
        public HostStaging Gradient { get; } = HostStaging.Allocate(device, parameter.Length);
        public Updater Updater { get; } = new(spec.Optimizer, checked((int)parameter.Length));

        public void Dispose()
        {
            Values.Dispose();
            Gradient.Dispose();
        }
    }
}
