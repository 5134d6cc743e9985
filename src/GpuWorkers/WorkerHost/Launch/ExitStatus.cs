namespace ParameterServer.WorkerHost.Launch;

/// <summary>
/// How a child process ended, in words. .NET reports a process that a signal killed as exit code 128 + the signal's
/// number (the shell's convention), so 137 reads "killed by signal 9 (SIGKILL)".
/// Example: <c>ExitStatus.Describe(137)</c> is <c>"killed by signal 9 (SIGKILL), exit code 137"</c>.
/// </summary>
internal static class ExitStatus
{
    private const int SignalBase = 128;
    // Linux numbers them 1 to 64.
    private const int LastSignal = 64;

    public static string Describe(int exitCode) =>
        exitCode is > SignalBase and <= SignalBase + LastSignal
            ? $"killed by signal {exitCode - SignalBase}{Name(exitCode - SignalBase)}, exit code {exitCode}"
            : $"exited with code {exitCode}";

    private static string Name(int signal) => signal switch
    {
        1 => " (SIGHUP)",
        2 => " (SIGINT)",
        3 => " (SIGQUIT)",
        6 => " (SIGABRT)",
        7 => " (SIGBUS)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        13 => " (SIGPIPE)",
        15 => " (SIGTERM)",
        _ => "",
    };
}
