using System.Text;
using ParameterServer.Host.Commands;
using ParameterServer.Host.Configuration;

namespace ParameterServer.Host;

/// <summary>
/// The <c>paramserver</c> command line: <c>paramserver COMMAND [options]</c>. Every failure is one line on the error
/// stream and a distinct exit code (<see cref="ExitCodes"/>).
/// </summary>
public static class Cli
{
    private static readonly ICommand[] Commands =
        [new SiloCommand(), new StatusCommand(), new PullCommand(), new CheckpointCommand(), new DemoCommand(), new ChaosCommand()];

    /// <summary>Runs one command and returns its exit code; the entry point of the executable and of in-process tests.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        try
        {
            if (args.Length == 0)
                throw new UsageException("no command given; 'paramserver --help' lists the commands");
            if (IsHelp(args[0]))
            {
                output.Write(Overview());
                return ExitCodes.Ok;
            }
            var command = Array.Find(Commands, c => c.Name == args[0])
                ?? throw new UsageException($"unknown command '{args[0]}'; 'paramserver --help' lists the commands");
            if (Array.Exists(args, IsHelp))
            {
                output.Write(Usage(command));
                return ExitCodes.Ok;
            }
            var options = CommandLine.Parse(args.AsSpan(1), command.Options);
            var configuration = HostConfiguration.Load(options.Configuration);
            return await command.RunAsync(new CommandContext(options, configuration, output, error, ct));
        }
        catch (Exception e)
        {
            var code = ExitCodes.For(e);
            var prefix = code == ExitCodes.Unexpected ? $"unexpected {e.GetType().Name}: " : "";
            error.WriteLine($"paramserver: {prefix}{FirstLine(e.Message)}");
            return code;
        }
    }

    private static bool IsHelp(string arg) => arg is "-h" or "--help" or "help";

    private static string Overview()
    {
        var text = new StringBuilder("usage: paramserver COMMAND [options]   (paramserver COMMAND --help for its options)\n\ncommands:\n");
        foreach (var c in Commands)
            text.Append($"  {c.Name,-12}{c.Summary}\n");
        return AppendCommon(text).ToString();
    }

    private static string Usage(ICommand command)
    {
        var text = new StringBuilder($"usage: paramserver {command.Name} [options]\n  {command.Summary}\n\noptions:\n");
        foreach (var o in command.Options)
            text.Append($"  {o.Usage,-36}{o.Help}\n");
        text.Append($"  {"--Section:Key VALUE",-36}any configuration key (for example --Logging:LogLevel:Default Information)\n");
        return AppendCommon(text).ToString();
    }

    private static StringBuilder AppendCommon(StringBuilder text)
    {
        text.Append("\nconfiguration, each above the one before: appsettings.json beside the executable, appsettings.json in\n")
            .Append($"the working directory, environment variables {HostConfiguration.EnvironmentPrefix}Section__Key (PS_Cluster__GatewayPort=30001), options\n")
            .Append("\nexit codes:\n");
        foreach (var line in ExitCodes.Help)
            text.Append($"  {line}\n");
        return text;
    }

    private static string FirstLine(string message)
    {
        var end = message.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? message : message[..end];
    }
}
