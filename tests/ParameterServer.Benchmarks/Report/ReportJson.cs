using System.Text.Json;
using System.Text.Json.Serialization;

namespace ParameterServer.Benchmarks.Report;

/// <summary>
/// The JSON file of a report (snake_case): the machine and its load average before and after, the date, the arguments,
/// and every figure with its ratio, goal and result.
/// </summary>
public sealed record ReportJson(
    IReadOnlyList<string> Arguments,
    bool Quick,
    MachineInfo Machine,
    double[] LoadAverageBefore,
    double[] LoadAverageAfter,
    DateTimeOffset Started,
    double WallSeconds,
    string Summary,
    IReadOnlyList<Figure> Figures)
{
    private static readonly JsonSerializerOptions _options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public string Serialize() => JsonSerializer.Serialize(this, _options);

    public void Write(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        File.WriteAllText(path, Serialize() + "\n");
    }
}
