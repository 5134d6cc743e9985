using System.Globalization;
using System.Text;

namespace ParameterServer.Benchmarks.Report;

/// <summary>
/// The report's table: one row per figure (figure, ours, reference, ratio, goal, result, note), grouped by section in
/// the order of <see cref="Sections.Rank"/>, each section's rows in the order they were measured;
/// and a count of passes, failures and figures not measured.
/// </summary>
public static class FigureTable
{
    private static readonly string[] _header = ["figure", "ours", "reference", "ratio", "goal", "result", "note"];

    public static string Render(IReadOnlyList<Figure> figures)
    {
        var rows = new List<string[]>();
        var sectionAt = new Dictionary<int, string>();
        var sections = figures.Select(f => f.Section).Distinct()
            .OrderBy(Sections.Rank);
        foreach (var section in sections)
        {
            sectionAt[rows.Count] = section;
            foreach (var f in figures.Where(f => f.Section == section))
                rows.Add(Row(f));
        }

        var widths = new int[_header.Length];
        foreach (var row in rows.Prepend(_header))
        {
            for (var c = 0; c < row.Length; c++) widths[c] = Math.Max(widths[c], row[c].Length);
        }

        var text = new StringBuilder();
        Append(text, _header, widths);
        for (var r = 0; r < rows.Count; r++)
        {
            if (sectionAt.TryGetValue(r, out var section)) text.Append("== ").AppendLine(section);
            Append(text, rows[r], widths);
        }
        text.AppendLine(Summary(figures));
        return text.ToString();
    }

    /// <summary>"12 figures: 7 pass, 1 FAIL, 3 without a goal, 1 not measured".</summary>
    public static string Summary(IReadOnlyList<Figure> figures)
    {
        var passed = figures.Count(f => f.Passed == true);
        var failed = figures.Count(f => f.Passed == false);
        var notMeasured = figures.Count(f => !f.Measured);
        var noGoal = figures.Count - passed - failed - notMeasured;
        return $"{figures.Count} figures: {passed} pass, {failed} FAIL, {noGoal} without a goal, {notMeasured} not measured";
    }

    public static string Result(Figure figure) => figure.Passed switch
    {
        true => "pass",
        false => "FAIL",
        null => "-",
    };

    /// <summary>Three significant digits or whole numbers with thousands separators, whichever reads better.</summary>
    public static string Number(double value)
    {
        var magnitude = Math.Abs(value);
        var format = magnitude switch
        {
            >= 1e4 => "N0",
            >= 100 => "F0",
            >= 10 => "F1",
            >= 1 => "F2",
            0 => "F0",
            _ => "G3",
        };
        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    private static string[] Row(Figure f)
    {
        if (!f.Measured)
            return [f.Name, "-", "-", "-", "-", "-", f.Note ?? ""];
        var reference = f.Reference is { } r ? $"{Number(r)} {f.Unit}" + (f.ReferenceName is null ? "" : $" ({f.ReferenceName})") : "-";
        return
        [
            f.Name,
            $"{Number(f.Ours!.Value)} {f.Unit}",
            reference,
            f.Ratio is { } ratio ? ratio.ToString("F2", CultureInfo.InvariantCulture) : "-",
            f.Goal?.ToString() ?? "-",
            Result(f),
            f.Note ?? "",
        ];
    }

    private static void Append(StringBuilder text, string[] row, int[] widths)
    {
        for (var c = 0; c < row.Length; c++)
        {
            if (c > 0) text.Append("  ");
            // Numbers read best right-aligned; the last column is not padded.
            if (c == row.Length - 1) text.Append(row[c]);
            else if (c is 3) text.Append(row[c].PadLeft(widths[c]));
            else text.Append(row[c].PadRight(widths[c]));
        }
        text.Append('\n');
    }
}
