using Microsoft.Extensions.Configuration;
using ParameterServer.Host.Commands;

namespace ParameterServer.Host.Configuration;

/// <summary>
/// The configuration of every command, each source above the one before: appsettings.json beside the executable,
/// appsettings.json in the working directory, environment variables with the PS_ prefix (PS_Cluster__GatewayPort),
/// the command line.
/// </summary>
internal static class HostConfiguration
{
    public const string EnvironmentPrefix = "PS_";

    public static IConfiguration Load(IReadOnlyDictionary<string, string?> commandLine) =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables(EnvironmentPrefix)
            .AddInMemoryCollection(commandLine)
            .Build();

    /// <summary>Binds a section, turning a value that does not convert into a one-line usage error.</summary>
    public static T Bind<T>(this IConfiguration configuration, string section) where T : new()
    {
        try
        {
            return configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
