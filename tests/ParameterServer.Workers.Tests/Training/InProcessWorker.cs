using Microsoft.Extensions.Logging.Abstractions;
using ParameterServer.Client;
using ParameterServer.Kernels.Devices.Cpu;
using ParameterServer.Workers.Models;
using ParameterServer.Workers.Training;

namespace ParameterServer.Workers.Tests.Training;

/// <summary>One worker of a test job: its own CPU device (one thread) and MLP, training through the cluster.</summary>
internal sealed class InProcessWorker : IAsyncDisposable
{
    private readonly CpuDevice _device = new(threads: 1);

    public InProcessWorker(ModelHandle model, int index, int workers, IReadOnlyList<int> widths, int batchSize)
    {
        Model = new Mlp(_device, widths, batchSize);
        Pipeline = new WorkerPipeline(model.ForWorker($"worker-{index}"), Model.Parameters, _device, workers, NullLogger.Instance);
        Index = index;
        Workers = workers;
    }

    public int Index { get; }

    public int Workers { get; }

    public Mlp Model { get; }

    public WorkerPipeline Pipeline { get; }

    /// <summary>Trains this worker's partition of <paramref name="data"/>; worker 0 evaluates after each epoch.</summary>
    public Task<TrainingSummary> TrainAsync(TrainingSet data, int batchSize, int epochs, IParameterStore? store = null) =>
        new Trainer(Model, store ?? Pipeline, data.Train, data.Test, data.Normalization, new TrainingOptions
        {
            Worker = Index,
            Workers = Workers,
            BatchSize = batchSize,
            Epochs = epochs,
            Seed = 5,
            Evaluate = Index == 0,
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
