using System.Globalization;
using System.Runtime.InteropServices;

namespace ParameterServer.Benchmarks.Transfer;

/// <summary>
/// CPU time a process has used so far, user plus system, from /proc/PID/stat: the transfer benchmark charges a
/// transfer's CPU to both of its ends, this process and the silo (or raw peer).
/// </summary>
internal static partial class ProcessCpu
{
    private const int ClockTicksName = 2; // _SC_CLK_TCK

    private static readonly double TicksPerSecond = sysconf(ClockTicksName);

    public static double Seconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state); utime and stime are fields 14 and 15, in clock ticks.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / TicksPerSecond;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial long sysconf(int name);
}
