using Spectre.Console;

namespace ParameterServer.Host.Commands;

/// <summary>A Spectre console over a command's output: styled on a terminal, plain and wide into files and pipes.</summary>
internal static class OutputConsole
{
    private const int RedirectedWidth = 200;

    public static IAnsiConsole Create(TextWriter output)
    {
        var terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
            console.Profile.Width = RedirectedWidth;
        return console;
    }
}
