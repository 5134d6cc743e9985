using ParameterServer.Client;
using ParameterServer.Contracts;

namespace ParameterServer.Host.Status;

/// <summary>What <c>paramserver status</c> shows, shaped for people (tables) and scripts (JSON) alike.</summary>
internal sealed record StatusReport(IReadOnlyList<ModelReport> Models)
{
    /// <summary>Queries every model (or only <paramref name="model"/>), its workers and every shard of its tables.</summary>
    public static async Task<StatusReport> CollectAsync(ParameterServerClient client, string? model, CancellationToken ct)
    {
        var names = model is null ? await client.ListModelsAsync(ct) : [model];
        var models = new List<ModelReport>(names.Count);
        foreach (var name in names)
            models.Add(await ModelReport.CollectAsync(await client.OpenModelAsync(name, ct), ct));
        return new StatusReport(models);
    }
}

internal sealed record ModelReport(string Name, string Consistency, long MinClock, long MaxClock, long Staleness,
    IReadOnlyList<WorkerReport> Workers, IReadOnlyList<int> UnassignedPartitions, IReadOnlyList<TableReport> Tables, long LostUpdates,
    IReadOnlyList<ShardLoss> Losses)
{
    public static async Task<ModelReport> CollectAsync(ModelHandle model, CancellationToken ct)
    {
        var status = await model.GetStatusAsync(ct);
        var now = DateTimeOffset.UtcNow;
        var workers = new List<WorkerReport>(status.Workers.Count);
        foreach (var w in status.Workers)
            workers.Add(new WorkerReport(w.WorkerId, w.Clock, (now - w.LastHeartbeat).TotalSeconds, w.Partitions));
        var tables = new List<TableReport>(model.Spec.Tables.Count);
        foreach (var t in model.Spec.Tables)
            tables.Add(TableReport.From(await model.GetTableStatusAsync(t.Name, ct)));
        return new ModelReport(model.Name, model.Spec.Consistency.ToString(), status.MinClock, status.MaxClock, status.Staleness, workers,
            status.UnassignedPartitions, tables, status.LostUpdates, status.Losses);
    }
}

/// <summary>A worker of a job: its clock, when the job last heard from it, and the data partitions it holds.</summary>
internal sealed record WorkerReport(string Id, long Clock, double SecondsSinceHeartbeat, IReadOnlyList<int> Partitions);

internal sealed record TableReport(string Name, int Rows, int Cols, int ShardRows, string Optimizer, StatsReport Stats,
    double? OldestCheckpointAgeSeconds, IReadOnlyList<ShardReport> Shards)
{
    public static TableReport From(TableStatus table)
    {
        var shards = new List<ShardReport>(table.Shards.Count);
        foreach (var s in table.Shards)
        {
            var i = s.Info;
            shards.Add(new ShardReport(i.Shard, i.RowStart, i.RowCount, i.Version, i.UpdateCount, i.CheckpointedVersion,
                s.CheckpointAge?.TotalSeconds, i.Silo, StatsReport.From(s.Stats), i.CheckpointFailures, i.CheckpointError));
        }
        var spec = table.Spec;
        return new TableReport(spec.Name, spec.Rows, spec.Cols, table.ShardRows, spec.Optimizer.Kind.ToString(),
            StatsReport.From(table.Stats), table.OldestCheckpointAge?.TotalSeconds, shards);
    }
}

internal sealed record ShardReport(int Shard, int RowStart, int RowCount, long Version, long Updates, long CheckpointedVersion,
    double? CheckpointAgeSeconds, string Silo, StatsReport Stats, int CheckpointFailures, string? CheckpointError);

internal sealed record StatsReport(double L2Norm, float Min, float Max, long NaNCount)
{
    public static StatsReport From(ShardStats s) => new(s.L2Norm, s.Min, s.Max, s.NaNCount);
}
