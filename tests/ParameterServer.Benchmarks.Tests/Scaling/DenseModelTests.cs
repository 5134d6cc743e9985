using ParameterServer.Benchmarks.Scaling;

namespace ParameterServer.Benchmarks.Tests.Scaling;

public class DenseModelTests
{
    [Fact]
    public void The_default_MLP_has_235146_parameters_in_six_one_shard_tables()
    {
        var mlp = DenseModel.Mlp("mlp", [784, 256, 128, 10], 0);

        // 784*256 + 256 + 256*128 + 128 + 128*10 + 10 = 200,704 + 256 + 32,768 + 128 + 1,280 + 10 = 235,146
        Assert.Equal(235_146, mlp.Parameters);
        Assert.Equal(6, mlp.ShardBytes().Count);
        Assert.Equal(4 * 235_146L, mlp.ShardBytes().Sum());
    }

    [Fact]
    public void A_4096_wide_weight_table_is_cut_into_32_shards_of_2_MiB()
    {
        var large = DenseModel.Mlp("large", [4096, 4096, 4096, 4096, 4096, 4096, 4096], 0);

        // 6 * (4096^2 + 4096) = 6 * 16,781,312 = 100,687,872 params. A 16 KiB row: 2 MiB / 16 KiB = 128 rows a shard,
        // 4096 / 128 = 32 shards per weight, plus one bias shard: 6 * 33 = 198 shards.
        Assert.Equal(100_687_872, large.Parameters);
        var shards = large.ShardBytes();
        Assert.Equal(198, shards.Count);
        Assert.Equal(6 * 32, shards.Count(b => b == 2 << 20));
    }

    [Fact]
    public void Compute_per_sample_is_six_flops_per_parameter_at_the_GEMM_rate()
    {
        // 235,146 params * 6 flop / 100 GFLOP/s = 1,410,876 / 1e11 s = 14.10876 µs
        Assert.Equal(14.10876e-6, ScalingReport.ComputePerSample([784, 256, 128, 10], gflops: 100), 15);
    }
}
