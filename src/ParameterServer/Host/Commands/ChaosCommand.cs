using System.Globalization;
using ParameterServer.Host.Chaos;

namespace ParameterServer.Host.Commands;

/// <summary>
/// <c>paramserver chaos</c>: sends hostile requests to a running cluster for a bounded time or count and checks that
/// each is refused with its error code, that the parameter state is unchanged and that the cluster still serves.
/// It creates two small models of its own (chaos-async, chaos-bsp); the state checksum covers every model, so run
/// it where nothing else is writing.
/// </summary>
internal sealed class ChaosCommand : ICommand
{
    public string Name => "chaos";

    public string Summary => "send bad requests for a while; check each is refused and nothing changed";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("seconds", "send for at most this long (default 10)", "S"),
        new("requests", "send at most this many (default 100000)", "N"),
        new("seed", "seed of the random requests (default 1)", "N"),
        new("lane-timeout", "the silos' DataPlane:FrameTimeoutSeconds: a stalled lane must be closed within it (default 30)", "S"),
        .. ConnectionOptionSpecs.Client,
    ];

    public async Task<int> RunAsync(CommandContext context)
    {
        var options = new ChaosOptions(
            Seed: Int(context, "seed", 1, int.MinValue),
            Requests: Int(context, "requests", 100_000, 1),
            Duration: TimeSpan.FromSeconds(Int(context, "seconds", 10, 1)),
            LaneTimeout: TimeSpan.FromSeconds(Int(context, "lane-timeout", 30, 1)));
        await using var client = await context.ConnectAsync();
        var report = await new ChaosRun(client, options).RunAsync(context.Cancellation);
        report.Write(context.Out);
        return report.Passed ? ExitCodes.Ok : ExitCodes.Unexpected;
    }

    private static int Int(CommandContext context, string name, int fallback, int min)
    {
        var text = context.Options.Get(name);
        if (text is null)
            return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
            throw new UsageException($"--{name} '{text}' is not an integer >= {min}");
        return value;
    }
}
