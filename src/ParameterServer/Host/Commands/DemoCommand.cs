using ParameterServer.Contracts;
using ParameterServer.Host.Status;

namespace ParameterServer.Host.Commands;

/// <summary>
/// <c>paramserver demo</c>: creates a small model, pushes a gradient, pulls the table back and checks that the
/// server applied SGD (w' = w - lr * g), checkpoints, and prints the model's status. Run again, it pushes again.
/// </summary>
internal sealed class DemoCommand : ICommand
{
    private const float LearningRate = 0.1f;
    private const int Rows = 1000, Cols = 64, ShardRows = 250;

    public string Name => "demo";

    public string Summary => "create a small demo model, push, pull, check, checkpoint, print its status";

    public IReadOnlyList<OptionSpec> Options { get; } = [new("model", "name of the demo model (default demo)", "M"), .. ConnectionOptionSpecs.Client];

    public static ModelSpec Spec(string name) => new()
    {
        Name = name,
        Consistency = ConsistencySpec.Async,
        Tables =
        [
            new TableSpec
            {
                Name = "weights", Rows = Rows, Cols = Cols, ShardRows = ShardRows,
                Initializer = InitializerSpec.Uniform(-0.05f, 0.05f, seed: 42),
                Optimizer = OptimizerSpec.Sgd(LearningRate),
            },
            new TableSpec { Name = "bias", Rows = 1, Cols = Cols, Optimizer = OptimizerSpec.Adam(0.01f) },
        ],
    };

    public async Task<int> RunAsync(CommandContext context)
    {
        var ct = context.Cancellation;
        await using var client = await context.ConnectAsync();
        var model = await client.CreateModelAsync(Spec(context.Options.Get("model") ?? "demo"), ct);

        var before = new float[Rows * Cols];
        await model.PullAsync("weights", before, ct: ct);
        var gradient = new float[Rows * Cols];
        for (var i = 0; i < gradient.Length; i++)
            gradient[i] = (i % 7 - 3) * 0.01f;
        await model.PushAsync("weights", gradient, ct: ct);
        var biasGradient = new float[Cols];
        Array.Fill(biasGradient, 1f);
        await model.PushAsync("bias", biasGradient, ct: ct);
        var after = new float[Rows * Cols];
        await model.PullAsync("weights", after, ct: ct);

        var maxError = 0f;
        for (var i = 0; i < after.Length; i++)
            maxError = MathF.Max(maxError, MathF.Abs(after[i] - (before[i] - LearningRate * gradient[i])));
        var shards = model.Layout("weights").ShardCount;
        context.Out.WriteLine($"demo: pushed {gradient.Length} gradient values to {shards} shards of {model.Name}/weights; " +
            $"pulled back w - {LearningRate} g, max error {maxError:G3}");
        // Two roundings (the server's update, the reference here) differ by at most an ulp of |w| <= 1.
        if (maxError > 1e-6f)
            throw new InvalidOperationException($"demo: the pulled weights differ from w - lr g by {maxError}");

        context.Out.WriteLine($"demo: checkpointed {await model.CheckpointAsync(ct)} shards");
        StatusTables.Write(new StatusReport([await ModelReport.CollectAsync(model, ct)]), OutputConsole.Create(context.Out));
        return ExitCodes.Ok;
    }
}
