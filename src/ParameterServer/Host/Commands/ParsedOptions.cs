namespace ParameterServer.Host.Commands;

/// <summary>The options given to a command, and the configuration keys they set.</summary>
internal sealed class ParsedOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _configuration = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, string?> Configuration => _configuration;

    public bool Has(string name) => _values.ContainsKey(name);

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public string Require(string name) =>
        _values.TryGetValue(name, out var value) ? value : throw new UsageException($"--{name} is required");

    public void Add(OptionSpec? option, string name, string value)
    {
        if (!_values.TryAdd(name, value))
            throw new UsageException($"--{name} is given twice");
        if (option?.ConfigKey is { } key)
            _configuration[key] = value;
        else if (option is null)
            _configuration[name] = value; // --Section:Key VALUE
    }
}
