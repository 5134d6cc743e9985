using ParameterServer.Workers.Data;

namespace ParameterServer.Workers.Tests.Data;

public sealed class PartitionBatchesTests
{
    // 23 images of one pixel, image k labelled k: a batch's labels name its samples.
    private static readonly LabeledImages _set = new(Enumerable.Range(0, 23).Select(k => (byte)k).ToArray(),
        Enumerable.Range(0, 23).Select(k => (byte)k).ToArray(), rows: 1, cols: 1);
    private static readonly Normalization _norm = new(mean: 0, std: 1);

    [Fact]
    public void Step_k_of_epoch_e_is_the_kth_run_of_the_partitions_order_for_e_in_any_call_order()
    {
        // Partition 1 of 2 holds samples floor(23 / 2) = 11 .. 22 of the permutation: 12 samples, 3 batches of 5, 5, 2.
        var partition = Partition.Create(23, partitions: 2, index: 1, seed: 4);
        var batches = new PartitionBatches(partition, _set, _norm, batchSize: 5);
        var x = new float[5];
        var y = new int[5];

        foreach (var (epoch, step) in new[] { (2, 2), (0, 0), (0, 2), (2, 0), (1, 1), (0, 1) })
        {
            var order = new int[partition.Count];
            partition.EpochOrder(epoch, order);
            var expected = order[(5 * step)..Math.Min(5 * step + 5, order.Length)];

            var rows = batches.Fill(epoch, step, x, y);

            Assert.Equal(expected.Length, rows);
            Assert.Equal(expected, y[..rows]);
        }
        Assert.Equal((1, 12), (batches.Index, batches.Samples));
        Assert.Equal(0, batches.Fill(0, 3, x, y));
    }
}
