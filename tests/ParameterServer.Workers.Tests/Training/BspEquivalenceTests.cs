using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Kernels.Devices.Cpu;
using ParameterServer.Kernels.Updates;
using ParameterServer.Tests.Cluster;
using ParameterServer.Workers.Data;
using ParameterServer.Workers.Models;
using ParameterServer.Workers.Training;

namespace ParameterServer.Workers.Tests.Training;

/// <summary>
/// What BSP promises (DESIGN.md, "Consistency"): N partitions trained on batch B train exactly as one process on the
/// combined batch N * B, because each shard averages one clock's pushes into one update, whether the partitions are
/// trained by N workers or one worker holds several (it pushes each partition's gradient as its own contribution).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class BspEquivalenceTests(ClusterFixture fixture)
{
    private static readonly int[] _widths = [784, 16, 10];
    private const int Batch = 8;
    private const int Steps = 4;
    private const float LearningRate = 0.1f;
    private const ulong Seed = 5; // InProcessWorker's partition seed

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public async Task Two_partitions_on_batch_B_end_where_one_process_on_their_combined_batch_2B_ends(int workers)
    {
        // 64 images: two partitions of 32, four steps of 8 each, one epoch.
        var data = TrainingSets.Small(train: 2 * Batch * Steps, test: 10);
        var client = new ParameterServerClient(fixture.Cluster.Client);
        using var reference = new CpuDevice(threads: 1);
        using var combined = new Mlp(reference, _widths, 2 * Batch);
        var spec = MlpModelSpec.Create($"bsp-equal-{Guid.NewGuid():N}", combined, OptimizerSpec.Sgd(LearningRate), ConsistencySpec.Bsp, seed: 9, partitions: 2);
        var model = await client.CreateModelAsync(spec);

        var trainers = Enumerable.Range(0, workers).Select(w => new InProcessWorker(model, w, partitions: 2, _widths, Batch, expectedWorkers: workers)).ToArray();
        try
        {
            var summaries = await Task.WhenAll(trainers.Select(w => w.TrainAsync(data, Batch, epochs: 1)));
            Assert.Equal(2L * Batch * Steps, summaries.Sum(s => s.Samples));
        }
        finally
        {
            foreach (var trainer in trainers) await trainer.DisposeAsync();
        }

        var expected = CombinedBatchSgd(spec, combined, data);
        foreach (var table in spec.Tables)
        {
            var server = new float[table.Elements];
            await model.PullAsync(table.Name, server);
            for (var i = 0; i < server.Length; i++)
                Assert.True(MathF.Abs(server[i] - expected[table.Name][i]) <= 1e-5f + 1e-4f * MathF.Abs(expected[table.Name][i]),
                    $"{table.Name}[{i}]: server {server[i]}, one process on the combined batch {expected[table.Name][i]}");
            // One update per clock, not one per push.
            Assert.All((await model.GetTableStatusAsync(table.Name)).Shards, s => Assert.Equal(Steps, s.Info.Version));
        }
    }

    /// <summary>
    /// The reference: the tables' initial values, then per step one forward and backward pass over partition 0's batch
    /// followed by partition 1's (their epoch orders, as <see cref="Partition"/> defines them), and w -= lr * g with the
    /// scalar SGD.
    /// </summary>
    private static Dictionary<string, float[]> CombinedBatchSgd(ModelSpec spec, Mlp model, TrainingSet data)
    {
        var device = model.Device;
        var values = new Dictionary<string, float[]>();
        foreach (var table in model.Parameters)
        {
            var v = new float[table.Length];
            ShardInitializer.Fill(v, spec.FindTable(table.Name)!, rowStart: 0);
            device.CopyToDevice<float>(v, table.Value);
            values[table.Name] = v;
        }
        var orders = new int[2][];
        for (var p = 0; p < 2; p++)
        {
            var partition = Partition.Create(data.Train.Count, partitions: 2, index: p, Seed);
            orders[p] = new int[partition.Count];
            partition.EpochOrder(0, orders[p]);
        }
        var width = _widths[0];
        var inputs = new float[2 * Batch * width];
        var labels = new int[2 * Batch];
        using var deviceInputs = device.Allocate<float>(inputs.Length);
        using var deviceLabels = device.Allocate<int>(labels.Length);
        for (var step = 0; step < Steps; step++)
        {
            for (var row = 0; row < 2 * Batch; row++)
            {
                var sample = orders[row / Batch][step * Batch + row % Batch];
                data.Normalization.Apply(data.Train.Image(sample), inputs.AsSpan(row * width, width));
                labels[row] = data.Train.Labels[sample];
            }
            device.CopyToDevice<float>(inputs, deviceInputs);
            device.CopyToDevice<int>(labels, deviceLabels);
            model.ComputeGradients(deviceInputs, deviceLabels, 2 * Batch);
            foreach (var table in model.Parameters)
            {
                var gradient = new float[table.Length];
                device.CopyToHost(table.Gradient, gradient.AsSpan());
                Sgd.Reference(values[table.Name], gradient, LearningRate, weightDecay: 0);
                device.CopyToDevice<float>(values[table.Name], table.Value);
            }
        }
        return values;
    }
}
