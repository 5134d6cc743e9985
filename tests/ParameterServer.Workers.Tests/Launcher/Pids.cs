using System.Diagnostics;

namespace ParameterServer.Workers.Tests.Launcher;

/// <summary>Whether processes are still alive, asked of the operating system by PID.</summary>
public static class Pids
{
    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The PIDs still running after waiting up to two seconds for them to go.</summary>
    public static async Task<int[]> Survivors(IEnumerable<int> pids)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var alive = pids.Where(IsRunning).ToArray();
            if (alive.Length == 0 || clock.Elapsed > TimeSpan.FromSeconds(2))
                return alive;
            await Task.Delay(50);
        }
    }
}
