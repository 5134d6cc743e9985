using System.Globalization;
using System.Runtime.InteropServices;

namespace ParameterServer.Benchmarks.Report;

/// <summary>The machine a run's figures came from: cores, CPU model, memory, OS and runtime.</summary>
public sealed record MachineInfo(int Cores, string CpuModel, double MemoryGib, string Os, string Runtime)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        ProcFileValue("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        ProcFileValue("/proc/meminfo", "MemTotal") is { } kib ? double.Parse(kib.Split(' ')[0], CultureInfo.InvariantCulture) / (1 << 20) : 0,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription);

    /// <summary>The 1, 5 and 15 minute load averages from /proc/loadavg (empty where there is none).</summary>
    public static double[] LoadAverage()
    {
        if (!File.Exists("/proc/loadavg")) return [];
        var fields = File.ReadAllText("/proc/loadavg").Split(' ');
        return [.. fields.Take(3).Select(f => double.Parse(f, CultureInfo.InvariantCulture))];
    }

    public override string ToString() =>
        $"{Cores} cores, {CpuModel}, {MemoryGib:F0} GiB, {Os}, {Runtime}";

    /// <summary>The value of the first "key : value" line of a /proc file.</summary>
    private static string? ProcFileValue(string path, string key)
    {
        if (!File.Exists(path)) return null;
        foreach (var line in File.ReadLines(path))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim() == key) return line[(colon + 1)..].Trim();
        }
        return null;
    }
}
