namespace ParameterServer.Host.Commands;

/// <summary>
/// Parses a command's arguments: the options it declares, plus <c>--Section:Key VALUE</c> for any configuration key.
/// Anything else is a <see cref="UsageException"/>.
/// </summary>
internal static class CommandLine
{
    public static ParsedOptions Parse(ReadOnlySpan<string> args, IReadOnlyList<OptionSpec> options)
    {
        var parsed = new ParsedOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new UsageException($"unexpected argument '{arg}'");
            var equals = arg.IndexOf('=');
            var name = equals < 0 ? arg[2..] : arg[2..equals];
            var option = Find(options, name);
            var isConfigKey = option is null && name.Contains(':');
            if (option is null && !isConfigKey)
                throw new UsageException($"unknown option --{name}");
            string value;
            if (option is { IsFlag: true })
            {
                if (equals >= 0)
                    throw new UsageException($"--{name} takes no value");
                value = "true";
            }
            else if (equals >= 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                throw new UsageException($"--{name} needs a value{(option is null ? "" : $" ({option.Value})")}");
            }
            parsed.Add(option, name, value);
        }
        return parsed;
    }

    private static OptionSpec? Find(IReadOnlyList<OptionSpec> options, string name)
    {
        foreach (var o in options)
            if (o.Name == name) return o;
        return null;
    }
}
