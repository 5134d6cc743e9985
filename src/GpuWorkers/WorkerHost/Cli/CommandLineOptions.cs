using ParameterServer.Contracts;
using ParameterServer.Kernels.Devices;

namespace ParameterServer.WorkerHost.Cli;

/// <summary>
/// A command's options, written <c>--name value</c> or <c>--name=value</c>: each must be one the command knows,
/// given at most once. Typed getters return a fallback when the option is absent, or require it when there is none.
/// Example: <c>var o = CommandLineOptions.Parse(args, ["--workers"]); var n = o.Int("--workers", fallback: 2, min: 1);</c>
/// </summary>
internal sealed class CommandLineOptions
{
    private readonly Dictionary<string, string> _values;

    private CommandLineOptions(Dictionary<string, string> values) => _values = values;

    public static CommandLineOptions Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> names)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"unexpected argument '{arg}'; options are {string.Join(", ", names)}");
            var equals = arg.IndexOf('=');
            var name = equals < 0 ? arg : arg[..equals];
            if (!names.Contains(name))
                throw new UsageException($"unknown option {name}; options are {string.Join(", ", names)}");
            string value;
            if (equals >= 0)
                value = arg[(equals + 1)..];
            else if (i + 1 < args.Count)
                value = args[++i];
            else
                throw new UsageException($"{name} needs a value");
            if (!values.TryAdd(name, value))
                throw new UsageException($"{name} is given twice");
        }
        return new CommandLineOptions(values);
    }

    public string Text(string name, string? fallback = null)
    {
        var value = Raw(name, fallback);
        return value.Length > 0 ? value : throw new UsageException($"{name} must not be empty");
    }

    /// <summary>The option's text, or null when it is absent.</summary>
    public string? OptionalText(string name) => _values.ContainsKey(name) ? Text(name) : null;

    public int Int(string name, int? fallback = null, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = Raw(name, fallback?.ToString());
        if (!int.TryParse(text, out var value) || value < min || value > max)
            throw new UsageException($"{name} {text} is not a whole number in {min}..{max}");
        return value;
    }

    public ulong UInt64(string name, ulong? fallback = null)
    {
        var text = Raw(name, fallback?.ToString());
        return ulong.TryParse(text, out var value) ? value : throw new UsageException($"{name} {text} is not a whole number >= 0");
    }

    /// <summary>bsp, ssp:N or async.</summary>
    public ConsistencySpec Consistency(string name, ConsistencySpec? fallback = null)
    {
        var text = Raw(name, fallback?.ToString());
        try
        {
            return ConsistencySpec.Parse(text);
        }
        catch (ParameterServerException e)
        {
            throw new UsageException($"{name}: {e.Message}");
        }
    }

    /// <summary>auto, cpu or cuda:N, kept as text: "auto" is resolved by the worker that opens the device.</summary>
    public string Device(string name, string? fallback = null)
    {
        var text = Raw(name, fallback).Trim().ToLowerInvariant();
        if (text == "auto")
            return text;
        try
        {
            return DeviceName.Parse(text).ToString();
        }
        catch (FormatException e)
        {
            throw new UsageException($"{name}: {e.Message}");
        }
    }

    private string Raw(string name, string? fallback) =>
        _values.TryGetValue(name, out var value) ? value : fallback ?? throw new UsageException($"{name} is required");
}
