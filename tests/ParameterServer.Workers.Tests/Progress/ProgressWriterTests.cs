using ParameterServer.Workers.Progress;

namespace ParameterServer.Workers.Tests.Progress;

public sealed class ProgressWriterTests
{
    [Fact]
    public void Lines_from_many_threads_stay_whole()
    {
        var output = new StringWriter();
        var writer = new ProgressWriter(output);

        Parallel.For(0, 8, worker =>
        {
            for (var step = 1; step <= 200; step++)
                writer.Write(new StepProgress(worker, 1, step, 200, 1.0 / step, 1000, 0.01));
        });

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(8 * 200, lines.Length);
        var records = lines.Select(ProgressProtocol.Parse).ToList();
        Assert.All(records, Assert.NotNull);
        for (var worker = 0; worker < 8; worker++)
        {
            var steps = records.OfType<StepProgress>().Where(r => r.Worker == worker).Select(r => r.Step);
            Assert.Equal(Enumerable.Range(1, 200), steps);
        }
    }
}
