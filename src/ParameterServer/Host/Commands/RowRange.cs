using System.Globalization;

namespace ParameterServer.Host.Commands;

/// <summary>A half-open row range given as "A:B" (rows A..B-1), "A:" (to the end) or ":B" (from the start), as in Python.</summary>
internal static class RowRange
{
    public static (int Start, int Count) Parse(string? text, int rows)
    {
        if (text is null)
            return (0, rows);
        var colon = text.IndexOf(':');
        if (colon < 0)
            throw new UsageException($"--rows '{text}' is not of the form A:B");
        var start = Bound(text[..colon], 0, text);
        var end = Bound(text[(colon + 1)..], rows, text);
        if (end <= start)
            throw new UsageException($"--rows '{text}' is empty");
        return (start, end - start);
    }

    private static int Bound(string part, int missing, string text) =>
        part.Length == 0 ? missing
        : int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var row) ? row
        : throw new UsageException($"--rows '{text}': '{part}' is not a row number");
}
