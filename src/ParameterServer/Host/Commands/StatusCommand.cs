using ParameterServer.Host.Status;

namespace ParameterServer.Host.Commands;

/// <summary><c>paramserver status</c>: models, their workers and clocks, tables and shards.</summary>
internal sealed class StatusCommand : ICommand
{
    public string Name => "status";

    public string Summary => "models, workers, tables and shards: versions, updates, checkpoints, statistics";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("model", "only this model", "M"),
        new("json", "machine-readable JSON instead of tables", Value: null),
        .. ConnectionOptionSpecs.Client,
    ];

    public async Task<int> RunAsync(CommandContext context)
    {
        await using var client = await context.ConnectAsync();
        var report = await StatusReport.CollectAsync(client, context.Options.Get("model"), context.Cancellation);
        if (context.Options.Has("json"))
            StatusJson.Write(report, context.Out);
        else
            StatusTables.Write(report, OutputConsole.Create(context.Out));
        return ExitCodes.Ok;
    }
}
