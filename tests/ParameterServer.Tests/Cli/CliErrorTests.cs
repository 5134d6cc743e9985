using ParameterServer.Host.Commands;
using ParameterServer.Tests.Client;
using Xunit;
using static ParameterServer.Tests.Cli.CliRun;

namespace ParameterServer.Tests.Cli;

/// <summary>Every failure of the CLI is one line on stderr, nothing on stdout, and its documented exit code.</summary>
public sealed class CliErrorTests
{
    [Fact]
    public async Task An_unreachable_cluster_exits_with_Unavailable()
    {
        var port = ConnectTests.FreePort().ToString();

        var result = await Run("status", "--gateway-port", port, "--connect-timeout", "1");

        AssertFailure(result, ExitCodes.Unavailable, $"localhost gateway port {port}");
    }

    [Theory]
    [InlineData("no command given")]
    [InlineData("unknown command 'stat'", "stat")]
    [InlineData("unknown option --bogus", "status", "--bogus")]
    [InlineData("--table is required", "pull", "--model", "m", "--out", "x.npy")]
    [InlineData("must end in .npy or .msgpack", "pull", "--model", "m", "--table", "t", "--out", "x.csv")]
    [InlineData("Cluster:Clustering", "status", "--clustering", "zookeeper")]
    [InlineData("needs a storage connection string", "status", "--clustering", "azure")]
    [InlineData("gateway port 70000", "checkpoint", "--model", "m", "--gateway-port", "70000")]
    public async Task Bad_arguments_exit_with_Usage(string message, params string[] args)
    {
        AssertFailure(await Run(args), ExitCodes.Usage, message);
    }

    [Fact]
    public async Task Help_lists_the_commands_and_the_exit_codes()
    {
        var result = await Run("--help");

        Assert.Equal(ExitCodes.Ok, result.Code);
        foreach (var command in new[] { "silo", "status", "pull", "checkpoint", "demo" })
            Assert.Contains($"  {command} ", result.Out);
        foreach (var line in ExitCodes.Help)
            Assert.Contains(line, result.Out);
    }

    [Fact]
    public async Task Help_of_a_command_lists_its_options()
    {
        var result = await Run("pull", "--help");

        Assert.Equal(ExitCodes.Ok, result.Code);
        Assert.Contains("--rows A:B", result.Out);
        Assert.Contains("--gateway-port PORT", result.Out);
    }
}
