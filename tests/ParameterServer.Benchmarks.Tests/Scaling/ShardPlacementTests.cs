using ParameterServer.Benchmarks.Scaling;

namespace ParameterServer.Benchmarks.Tests.Scaling;

public class ShardPlacementTests
{
    [Fact]
    public void A_large_shard_alone_ties_with_the_small_ones_and_the_machine_with_more_shards_is_busier()
    {
        // Largest first onto the least loaded: 3 -> m0; 1, 1, 1 -> m1 (1 < 3, 2 < 3). Bytes 3 and 3 of 6; m1 has 3 shards.
        var placement = ShardPlacement.Balanced([3, 1, 1, 1], machines: 2);

        Assert.Equal(0.5, placement.BusiestByteShare);
        Assert.Equal(3, placement.BusiestShards);
    }

    [Fact]
    public void Five_shards_on_three_machines()
    {
        // 5 -> m0, 4 -> m1, 3 -> m2, 3 -> m2 (3 is least), 2 -> m1 (4 is least): bytes 5, 6, 6 of 17, shards 1, 2, 2.
        var placement = ShardPlacement.Balanced([2, 3, 5, 4, 3], machines: 3);

        Assert.Equal(6.0 / 17, placement.BusiestByteShare, 12);
        Assert.Equal(2, placement.BusiestShards);
    }

    [Fact]
    public void More_machines_than_shards_leave_the_largest_shard_as_the_hot_spot()
    {
        // The default MLP: fc1 (256 x 784 = 200,704 params) is 200,704 / 235,146 = 0.8535 of the model on one machine.
        var placement = ShardPlacement.Balanced(DenseModel.Mlp("mlp", [784, 256, 128, 10], 0).ShardBytes(), machines: 16);

        Assert.Equal(200_704.0 / 235_146, placement.BusiestByteShare, 12);
        Assert.Equal(1, placement.BusiestShards);
    }

    [Fact]
    public void Zero_machines_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardPlacement.Balanced([1], machines: 0));
    }
}
