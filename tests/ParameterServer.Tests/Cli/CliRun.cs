using Xunit;

namespace ParameterServer.Tests.Cli;

/// <summary>Runs the CLI's entry point in-process and captures what it wrote.</summary>
internal static class CliRun
{
    public sealed record Result(int Code, string Out, string Error);

    public static async Task<Result> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await ParameterServer.Host.Cli.RunAsync(args, output, error);
        return new Result(code, output.ToString(), error.ToString());
    }

    public static void AssertFailure(Result result, int code, string message)
    {
        Assert.Equal(code, result.Code);
        Assert.Equal("", result.Out);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("paramserver: ", line);
        Assert.Contains(message, line);
    }
}
