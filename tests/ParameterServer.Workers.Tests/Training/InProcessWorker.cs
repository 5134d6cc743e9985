using Microsoft.Extensions.Logging.Abstractions;
using ParameterServer.Client;
using ParameterServer.Kernels.Devices.Cpu;
using ParameterServer.Workers.Models;
using ParameterServer.Workers.Training;

namespace ParameterServer.Workers.Tests.Training;

/// <summary>
/// One worker, "worker-{index}", of a test job whose data is cut into <c>partitions</c>: its own CPU device (one thread)
/// and MLP, training through the cluster. A new job's workers wait for <c>expectedWorkers</c> (by default one per
/// partition) to join before their first step.
/// </summary>
internal sealed class InProcessWorker : IAsyncDisposable
{
    private readonly CpuDevice _device = new(threads: 1);

    public InProcessWorker(ModelHandle model, int index, int partitions, IReadOnlyList<int> widths, int batchSize, int? expectedWorkers = null)
    {
        Model = new Mlp(_device, widths, batchSize);
        Pipeline = new WorkerPipeline(model.ForWorker($"worker-{index}"), Model.Parameters, _device, expectedWorkers ?? partitions, NullLogger.Instance);
        Index = index;
        Partitions = partitions;
    }

    public int Index { get; }

    public int Partitions { get; }

    public Mlp Model { get; }

    public WorkerPipeline Pipeline { get; }

    /// <summary>
    /// Trains the partitions of <paramref name="data"/> the job gives this worker; it evaluates after each epoch the job
    /// names it the evaluator for, and after the last.
    /// </summary>
    public Task<TrainingSummary> TrainAsync(TrainingSet data, int batchSize, int epochs, IParameterStore? store = null) =>
        new Trainer(Model, store ?? Pipeline, data.Train, data.Test, data.Normalization, new TrainingOptions
        {
            Worker = Index,
            Partitions = Partitions,
            BatchSize = batchSize,
            Epochs = epochs,
            Seed = 5,
            Evaluate = true,
        }, progress: null).RunAsync(CancellationToken.None);

    /// <summary>The values of one of the model's tables as they are on the device now.</summary>
    public float[] DeviceValues(string table)
    {
        var parameter = Model.Parameters.Single(p => p.Name == table);
        var values = new float[parameter.Length];
        _device.CopyToHost(parameter.Value, values.AsSpan());
        return values;
    }

    public async ValueTask DisposeAsync()
    {
        await Pipeline.DisposeAsync();
        Model.Dispose();
        _device.Dispose();
    }
}
