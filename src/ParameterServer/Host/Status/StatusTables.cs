using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ParameterServer.Host.Status;

/// <summary>The human-readable form of a <see cref="StatusReport"/>: per model a line, a table of tables and a table of shards.</summary>
internal static class StatusTables
{
    public static void Write(StatusReport report, IAnsiConsole console)
    {
        if (report.Models.Count == 0)
        {
            console.WriteLine("no models");
            return;
        }
        foreach (var model in report.Models)
        {
            console.WriteLine($"model {model.Name}: {model.Consistency}, {model.Workers.Count} worker(s), clocks {model.MinClock}..{model.MaxClock}, staleness {model.Staleness}");
            if (model.Losses.Count > 0)
                console.WriteLine($"lost updates: {model.LostUpdates} ({string.Join(", ", model.Losses.Select(l => $"{l.Shard}: {l.LostUpdates} in {l.Restores} restore(s)"))})");
            if (model.Workers.Count > 0)
                console.Write(Workers(model));
            if (model.UnassignedPartitions.Count > 0)
                console.WriteLine($"unassigned data partitions (waiting for a worker to join): {string.Join(", ", model.UnassignedPartitions)}");
            console.Write(Tables(model));
            console.Write(Shards(model));
            foreach (var t in model.Tables)
                foreach (var s in t.Shards.Where(s => s.CheckpointFailures > 0))
                    console.WriteLine($"checkpoint of {t.Name} shard {s.Shard} failing: {s.CheckpointFailures} attempt(s) since version {s.CheckpointedVersion}, last error: {s.CheckpointError}");
        }
    }

    private static Table Workers(ModelReport model)
    {
        var table = NewTable("worker", "clock", "last heartbeat", "partitions");
        foreach (var w in model.Workers)
            Row(table, w.Id, Int(w.Clock), $"{w.SecondsSinceHeartbeat:0.0} s ago", w.Partitions.Count > 0 ? string.Join(", ", w.Partitions) : "none");
        return table;
    }

    private static Table Tables(ModelReport model)
    {
        var table = NewTable("table", "shape", "shards", "optimizer", "L2 norm", "min", "max", "NaN", "oldest checkpoint");
        foreach (var t in model.Tables)
            Row(table, t.Name, $"{t.Rows} x {t.Cols}", Int(t.Shards.Count), t.Optimizer, Real(t.Stats.L2Norm), Real(t.Stats.Min),
                Real(t.Stats.Max), Int(t.Stats.NaNCount), Age(t.OldestCheckpointAgeSeconds));
        return table;
    }

    private static Table Shards(ModelReport model)
    {
        var table = NewTable("table", "shard", "rows", "version", "updates", "checkpointed", "age", "silo", "L2 norm", "min", "max", "NaN");
        foreach (var t in model.Tables)
            foreach (var s in t.Shards)
                Row(table, t.Name, Int(s.Shard), $"{s.RowStart}..{s.RowStart + s.RowCount}", Int(s.Version), Int(s.Updates),
                    Int(s.CheckpointedVersion), Age(s.CheckpointAgeSeconds), s.Silo, Real(s.Stats.L2Norm), Real(s.Stats.Min),
                    Real(s.Stats.Max), Int(s.Stats.NaNCount));
        return table;
    }

    private static Table NewTable(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var c in columns)
            table.AddColumn(new TableColumn(c).RightAligned());
        table.Columns[0].LeftAligned();
        return table;
    }

    // Text, not markup: names and silo addresses are shown as they are.
    private static void Row(Table table, params string[] cells)
    {
        var row = new IRenderable[cells.Length];
        for (var i = 0; i < cells.Length; i++)
            row[i] = new Text(cells[i]);
        table.AddRow(row);
    }

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Real(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static string Age(double? seconds) => seconds is { } s ? $"{s:0.0} s" : "never";
}
