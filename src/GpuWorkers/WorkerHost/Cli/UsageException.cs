namespace ParameterServer.WorkerHost.Cli;

/// <summary>A command line that cannot be run as written; the message says which option is wrong and why.</summary>
internal sealed class UsageException(string message) : Exception(message);
