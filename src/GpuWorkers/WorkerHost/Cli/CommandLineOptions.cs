using System.Globalization;
using ParameterServer.Contracts;
using ParameterServer.Kernels.Devices;

namespace ParameterServer.WorkerHost.Cli;

/// <summary>
/// A command's options, written <c>--name value</c> or <c>--name=value</c>, and its flags, written <c>--name</c>: each
/// must be one the command knows, given at most once. Typed getters return a fallback when the option is absent, or
/// require it when there is none.
/// Example: <c>var o = CommandLineOptions.Parse(args, ["--workers"], ["--standalone"]); var n = o.Int("--workers", fallback: 2, min: 1);</c>
/// </summary>
internal sealed class CommandLineOptions
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _flags;

    private CommandLineOptions(Dictionary<string, string> values, HashSet<string> flags)
    {
        _values = values;
        _flags = flags;
    }

    public static CommandLineOptions Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> names, IReadOnlyCollection<string>? flags = null)
    {
        flags ??= [];
        var known = string.Join(", ", names.Concat(flags));
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var given = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"unexpected argument '{arg}'; options are {known}");
            var equals = arg.IndexOf('=');
            var name = equals < 0 ? arg : arg[..equals];
            if (flags.Contains(name))
            {
                if (equals >= 0)
                    throw new UsageException($"{name} takes no value");
                if (!given.Add(name))
                    throw new UsageException($"{name} is given twice");
                continue;
            }
            if (!names.Contains(name))
                throw new UsageException($"unknown option {name}; options are {known}");
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
        return new CommandLineOptions(values, given);
    }

    /// <summary>Whether the flag <paramref name="name"/> was given.</summary>
    public bool Flag(string name) => _flags.Contains(name);


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

    /// <summary>A finite number greater than 0.</summary>
    public float PositiveFloat(string name, float? fallback = null)
    {
        var text = Raw(name, fallback?.ToString(CultureInfo.InvariantCulture));
        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value) && value > 0
            ? value
            : throw new UsageException($"{name} {text} is not a number greater than 0");
    }

    /// <summary>A worker lease in seconds (a number greater than 0, at most a day).</summary>
    public TimeSpan Lease(string name, float? fallback = null)
    {
        var seconds = PositiveFloat(name, fallback);
        return seconds <= TimeSpan.FromDays(1).TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException($"{name} {seconds} is more than a day (86400 seconds)");
    }

    /// <summary>One of the values of <typeparamref name="T"/>, written as its lower-case name ("adamw", "bf16").</summary>
    public T Choice<T>(string name, T? fallback = null) where T : struct, Enum
    {
        var text = Raw(name, fallback is { } f ? ChoiceName(f) : null);
        foreach (var value in Enum.GetValues<T>())
        {
            if (ChoiceName(value) == text.Trim().ToLowerInvariant())
                return value;
        }
        throw new UsageException($"{name} {text} is not one of {string.Join(", ", Enum.GetValues<T>().Select(ChoiceName))}");
    }

    public static string ChoiceName<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

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
