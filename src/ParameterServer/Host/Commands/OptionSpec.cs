namespace ParameterServer.Host.Commands;

/// <summary>
/// An option a command accepts: <c>--name VALUE</c> (or <c>--name=VALUE</c>), or <c>--name</c> alone when
/// <see cref="Value"/> is null. An option with a <see cref="ConfigKey"/> sets that configuration key, above
/// appsettings.json and PS_ environment variables.
/// </summary>
internal sealed record OptionSpec(string Name, string Help, string? Value = "VALUE", string? ConfigKey = null)
{
    public bool IsFlag => Value is null;

    public string Usage => IsFlag ? $"--{Name}" : $"--{Name} {Value}";
}
