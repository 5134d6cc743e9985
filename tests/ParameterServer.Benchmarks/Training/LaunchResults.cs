using System.Text.Json;

namespace ParameterServer.Benchmarks.Training;

/// <summary>
/// What the benchmarks read from a <c>psworker launch</c> results file: samples/s of all workers, each worker's stall
/// fraction, and per epoch the test accuracy (when evaluated) and the seconds from the first worker's start.
/// </summary>
public sealed record LaunchResults(double SamplesPerSecond, double[] StallFractions, IReadOnlyList<LaunchResults.Epoch> Curve)
{
    public sealed record Epoch(int Number, double? TestAccuracy, double Seconds);

    public double MeanStall => StallFractions.Average();

    public double? BestAccuracy => Curve.Max(e => e.TestAccuracy);

    /// <summary>Seconds until the first evaluation at or above <paramref name="accuracy"/>; null when none reached it.</summary>
    public double? SecondsTo(double accuracy) => Curve.FirstOrDefault(e => e.TestAccuracy >= accuracy)?.Seconds;

    public static LaunchResults Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new LaunchResults(
            root.GetProperty("samples_per_second").GetDouble(),
            [.. root.GetProperty("stall_fraction").EnumerateArray().Select(s => s.GetDouble())],
            [.. root.GetProperty("curves").EnumerateArray().Select(e => new Epoch(
                e.GetProperty("epoch").GetInt32(),
                e.GetProperty("test_accuracy") is { ValueKind: JsonValueKind.Number } a ? a.GetDouble() : null,
                e.GetProperty("seconds").GetDouble()))]);
    }
}
