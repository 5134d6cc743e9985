namespace ParameterServer.Host.Commands;

/// <summary>One <c>paramserver</c> command.</summary>
internal interface ICommand
{
    string Name { get; }

    /// <summary>One line for the command list of <c>--help</c>.</summary>
    string Summary { get; }

    IReadOnlyList<OptionSpec> Options { get; }

    /// <summary>Runs the command; returns the exit code. Failures are thrown and turned into one line and a code.</summary>
    Task<int> RunAsync(CommandContext context);
}
