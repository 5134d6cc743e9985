namespace ParameterServer.Workers.Progress;

/// <summary>
/// Writes progress records as protocol lines, whole and flushed, from any thread.
/// Example: <c>var progress = new ProgressWriter(Console.Out); progress.Write(new EpochEnd(0, 1, 0.52, 0.84, 0.45, 10000));</c>
/// </summary>
public sealed class ProgressWriter
{
    private readonly TextWriter _output;
    private readonly Lock _lock = new();

    public ProgressWriter(TextWriter output) => _output = output;

    public void Write(ProgressRecord record)
    {
        var line = ProgressProtocol.Format(record);
        lock (_lock)
        {
            _output.WriteLine(line);
            _output.Flush();
        }
    }
}
