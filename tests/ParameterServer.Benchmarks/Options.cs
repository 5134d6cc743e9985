using System.Globalization;

namespace ParameterServer.Benchmarks;

/// <summary>The benchmarks' command-line options: "--name value" pairs and "--flag" switches, with fallbacks.</summary>
internal static class Options
{
    public static bool Flag(string[] args, string name) => args.Contains(name);

    public static string Text(string[] args, string name, string fallback) => Value(args, name) ?? fallback;

    public static string? OptionalText(string[] args, string name) => Value(args, name);

    public static int Int(string[] args, string name, int fallback) =>
        Value(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public static double Double(string[] args, string name, double fallback) =>
        Value(args, name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

    /// <summary>A comma-separated list of integers, e.g. "--in-flight 1,4".</summary>
    public static int[] IntList(string[] args, string name, int[] fallback) =>
        Value(args, name) is { } text ? [.. text.Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture))] : fallback;

    private static string? Value(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        if (at < 0) return null;
        if (at + 1 >= args.Length) throw new ArgumentException($"{name} needs a value");
        return args[at + 1];
    }
}
