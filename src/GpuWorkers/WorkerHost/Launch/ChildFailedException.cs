namespace ParameterServer.WorkerHost.Launch;

/// <summary>A child process that failed the run: which one, why, and its last lines of output.</summary>
internal sealed class ChildFailedException(ChildProcess child, string reason)
    : Exception($"{child} {reason}")
{
    public ChildProcess Child { get; } = child;

    public string Reason { get; } = reason;

    public IReadOnlyList<string> LastLines { get; } = child.LastLines();
}
