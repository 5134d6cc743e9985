namespace ParameterServer.Contracts;

/// <summary>Model and table names: they become parts of grain keys "{model}/{table}/{shard}" and file names.</summary>
public static class Names
{
    public const int MaxLength = 128;

    public static void Validate(string? name, string what)
    {
        if (string.IsNullOrEmpty(name))
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"{what} name is empty");
        if (name.Length > MaxLength)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"{what} name '{name[..16]}...' is longer than {MaxLength} characters");
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                throw new ParameterServerException(ErrorCode.InvalidSpec, $"{what} name '{name}' may only hold ASCII letters, digits, '-', '_' and '.'");
        }
    }
}
