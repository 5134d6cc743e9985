using ParameterServer.Host.Commands;
using ParameterServer.Host.Configuration;
using Xunit;

namespace ParameterServer.Tests.Cli;

/// <summary>Options are parsed strictly; mapped options become configuration keys above the environment.</summary>
public sealed class CommandLineTests
{
    private static readonly OptionSpec[] Options =
    [
        new("model", "the model", "M"),
        new("json", "as JSON", Value: null),
        new("gateway-port", "port", "PORT", "Cluster:GatewayPort"),
    ];

    [Fact]
    public void Values_flags_and_configuration_keys_are_read()
    {
        var parsed = CommandLine.Parse(["--model", "m", "--json", "--gateway-port=30001", "--Storage:Container", "c"], Options);

        Assert.Equal("m", parsed.Get("model"));
        Assert.True(parsed.Has("json"));
        Assert.Equal("30001", parsed.Configuration["Cluster:GatewayPort"]);
        Assert.Equal("c", parsed.Configuration["Storage:Container"]);
        Assert.False(parsed.Configuration.ContainsKey("model"));
    }

    [Theory]
    [InlineData("--nope", "x")]
    [InlineData("model")]
    [InlineData("--model")]
    [InlineData("--model", "--json")]
    [InlineData("--json=yes")]
    [InlineData("--model", "a", "--model", "b")]
    public void Anything_else_is_a_usage_error(params string[] args)
    {
        Assert.Throws<UsageException>(() => CommandLine.Parse(args, Options));
    }

    [Fact]
    public void The_command_line_overrides_PS_environment_variables()
    {
        // Keys of this test only, so parallel tests do not see them.
        Environment.SetEnvironmentVariable("PS_CommandLineTests__FromEnvironment", "env");
        Environment.SetEnvironmentVariable("PS_CommandLineTests__Both", "env");
        try
        {
            var configuration = HostConfiguration.Load(new Dictionary<string, string?> { ["CommandLineTests:Both"] = "cli" });

            Assert.Equal("env", configuration["CommandLineTests:FromEnvironment"]);
            Assert.Equal("cli", configuration["CommandLineTests:Both"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PS_CommandLineTests__FromEnvironment", null);
            Environment.SetEnvironmentVariable("PS_CommandLineTests__Both", null);
        }
    }

    [Fact]
    public void A_configuration_value_of_the_wrong_type_is_a_usage_error()
    {
        var configuration = HostConfiguration.Load(new Dictionary<string, string?> { ["Cluster:GatewayPort"] = "many" });

        var error = Assert.Throws<UsageException>(() => ClusterSettings.From(configuration));

        Assert.Contains("Cluster:GatewayPort", error.Message);
    }
}
