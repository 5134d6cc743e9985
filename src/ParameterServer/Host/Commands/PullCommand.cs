using ParameterServer.Host.Export;

namespace ParameterServer.Host.Commands;

/// <summary><c>paramserver pull</c>: writes a table, or a range of its rows, to a .npy or .msgpack file.</summary>
internal sealed class PullCommand : ICommand
{
    public string Name => "pull";

    public string Summary => "write a table or a row range to a .npy or .msgpack file";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("model", "the model", "M"),
        new("table", "the table", "T"),
        new("rows", "rows A to B-1 (default: all); A: and :B also work", "A:B"),
        new("out", "output file: .npy (NumPy, float32, shape (rows, cols)) or .msgpack", "FILE"),
        .. ConnectionOptionSpecs.Client,
    ];

    public async Task<int> RunAsync(CommandContext context)
    {
        var options = context.Options;
        var modelName = options.Require("model");
        var tableName = options.Require("table");
        var path = options.Require("out");
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".npy" or ".msgpack"))
            throw new UsageException($"--out '{path}' must end in .npy or .msgpack");

        await using var client = await context.ConnectAsync();
        var model = await client.OpenModelAsync(modelName, context.Cancellation);
        var layout = model.Layout(tableName);
        var spec = layout.Spec;
        var (start, count) = RowRange.Parse(options.Get("rows"), spec.Rows);
        layout.CheckRows(start, count);
        if ((long)count * spec.Cols > Array.MaxLength)
            throw new UsageException($"{count} rows of {spec.Cols} columns do not fit in one array; pull fewer with --rows");
        var values = new float[count * spec.Cols];
        await model.PullAsync(tableName, values, start, ct: context.Cancellation);

        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write))
        {
            if (extension == ".npy")
                NpyWriter.Write(file, values, count, spec.Cols);
            else
                MessagePackTableWriter.Write(file, modelName, tableName, start, values, count, spec.Cols);
        }
        context.Out.WriteLine($"pulled {modelName}/{tableName} rows {start}..{start + count} ({count} x {spec.Cols} float32) to {path}");
        return ExitCodes.Ok;
    }
}
