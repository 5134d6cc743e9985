using System.Text.Json;
using System.Text.Json.Serialization;

namespace ParameterServer.Workers.Progress;

/// <summary>
/// The line format between workers and their launcher: <c>@ps {json}</c> on stdout, one record per line, among
/// any other output. Lines without the prefix, and prefixed lines that do not parse, are log lines.
/// Example: <c>Console.WriteLine(ProgressProtocol.Format(new WorkerDone(0, 60000, 12.5, 0.03)));</c>
/// </summary>
public static class ProgressProtocol
{
    public const string Prefix = "@ps ";

    private static readonly JsonSerializerOptions _json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // A diverging run reports a NaN loss; plain JSON has no NaN.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        AllowOutOfOrderMetadataProperties = true,
    };

    public static string Format(ProgressRecord record) => Prefix + JsonSerializer.Serialize(record, _json);

    /// <summary>The record on <paramref name="line"/>, or null when the line is not one (pass it on as a log line).</summary>
    public static ProgressRecord? Parse(string line)
    {
        if (!line.StartsWith(Prefix, StringComparison.Ordinal))
            return null;
        try
        {
            return JsonSerializer.Deserialize<ProgressRecord>(line.AsSpan(Prefix.Length), _json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            return null;
        }
    }
}
