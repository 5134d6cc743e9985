using System.Text.Json;
using System.Text.Json.Serialization;

namespace ParameterServer.Host.Status;

/// <summary>The machine-readable form of a <see cref="StatusReport"/> (<c>status --json</c>).</summary>
internal static class StatusJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // A table of only NaN has NaN for min and max; JSON has no literal for it.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write(StatusReport report, TextWriter output) =>
        output.WriteLine(JsonSerializer.Serialize(report, Options));
}
