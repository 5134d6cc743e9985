using ParameterServer.Workers.Data;

namespace ParameterServer.Workers.Tests.Data;

public sealed class BatchIteratorTests
{
    // Five images of 1 x 2 pixels: image k holds pixels (10k, 10k + 5) and label k + 1.
    private static readonly LabeledImages _set = new([0, 5, 10, 15, 20, 25, 30, 35, 40, 45], [1, 2, 3, 4, 5], rows: 1, cols: 2);
    private static readonly Normalization _norm = new(mean: 0.5, std: 0.25);

    [Fact]
    public void Fills_normalized_rows_and_labels_in_the_given_order()
    {
        var batches = new BatchIterator(_set, _norm, batchSize: 2, new[] { 4, 0, 2, 1, 3 });
        var x = new float[4];
        var y = new int[2];

        Assert.Equal(3, batches.Steps);
        Assert.Equal(2, batches.Next(x, y));
        Assert.Equal([Expected(40), Expected(45), Expected(0), Expected(5)], x);
        Assert.Equal([5, 1], y);

        Assert.Equal(2, batches.Next(x, y));
        Assert.Equal([3, 2], y);

        Assert.Equal(1, batches.Next(x, y));
        Assert.Equal([Expected(30), Expected(35)], x[..2]);
        Assert.Equal(4, y[0]);

        Assert.Equal(0, batches.Next(x, y));
    }

    [Fact]
    public void The_identity_order_walks_the_set_as_stored_and_reset_starts_again()
    {
        var batches = new BatchIterator(_set, _norm, batchSize: 3, Permutation.Identity(5));
        var x = new float[6];
        var y = new int[3];

        Assert.Equal(3, batches.Next(x, y));
        Assert.Equal([1, 2, 3], y);
        Assert.Equal(2, batches.Next(x, y));
        Assert.Equal([4, 5], y[..2]);
        batches.Reset();
        Assert.Equal(3, batches.Next(x, y));
        Assert.Equal([Expected(0), Expected(5), Expected(10), Expected(15), Expected(20), Expected(25)], x);
    }

    [Fact]
    public void A_pass_allocates_nothing_per_batch()
    {
        var set = new LabeledImages(new byte[1000 * 784], new byte[1000], rows: 28, cols: 28);
        var order = Permutation.Identity(1000);
        Permutation.Shuffle(order, seed: 1);
        var batches = new BatchIterator(set, _norm, batchSize: 64, order);
        var x = new float[batches.InputLength];
        var y = new int[64];
        while (batches.Next(x, y) > 0)
        {
        }
        batches.Reset();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var rows = 0;
        while (batches.Next(x, y) is var n and > 0)
            rows += n;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1000, rows);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Buffers_smaller_than_a_batch_are_refused()
    {
        var batches = new BatchIterator(_set, _norm, batchSize: 2, Permutation.Identity(5));

        Assert.Throws<ArgumentException>(() => batches.Next(new float[3], new int[2]));
        Assert.Throws<ArgumentException>(() => batches.Next(new float[4], new int[1]));
    }

    // (p / 255 - 0.5) / 0.25, computed here from the formula.
    private static float Expected(int pixel) => (float)((pixel / 255.0 - 0.5) / 0.25);
}
