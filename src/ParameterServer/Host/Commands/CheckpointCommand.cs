namespace ParameterServer.Host.Commands;

/// <summary><c>paramserver checkpoint</c>: writes a checkpoint of every shard of a model now.</summary>
internal sealed class CheckpointCommand : ICommand
{
    public string Name => "checkpoint";

    public string Summary => "checkpoint every shard of a model now";

    public IReadOnlyList<OptionSpec> Options { get; } = [new("model", "the model", "M"), .. ConnectionOptionSpecs.Client];

    public async Task<int> RunAsync(CommandContext context)
    {
        var name = context.Options.Require("model");
        await using var client = await context.ConnectAsync();
        var model = await client.OpenModelAsync(name, context.Cancellation);
        var shards = await model.CheckpointAsync(context.Cancellation);
        context.Out.WriteLine($"checkpointed {shards} shard(s) of model {name}");
        return ExitCodes.Ok;
    }
}
