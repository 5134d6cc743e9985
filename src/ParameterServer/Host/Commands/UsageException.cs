namespace ParameterServer.Host.Commands;

/// <summary>Bad arguments or configuration: reported as one line with <see cref="ExitCodes.Usage"/>.</summary>
internal sealed class UsageException(string message) : Exception(message);
