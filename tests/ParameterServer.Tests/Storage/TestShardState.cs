using MessagePack;
using Xunit;

namespace ParameterServer.Tests.Storage;

/// <summary>A stand-in for the shard grain's state: MessagePack-annotated, with float arrays and counters.</summary>
[MessagePackObject]
public sealed class TestShardState
{
    [Key(0)] public float[] Values { get; set; } = [];

    [Key(1)] public float[]? Momentum { get; set; }

    [Key(2)] public long Version { get; set; }

    [Key(3)] public long Updates { get; set; }

    [Key(4)] public string Table { get; set; } = "";

    /// <summary>Random values from a fixed seed, led by the floats whose bits are easiest to lose.</summary>
    public static TestShardState Create(int seed, int length, long version)
    {
        var random = new Random(seed);
        var values = new float[length];
        float[] awkward =
        [
            -0f, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue,
            float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(0x7FC01234),
        ];
        for (var i = 0; i < length; i++)
            values[i] = i < awkward.Length ? awkward[i] : (float)(random.NextDouble() * 2 - 1);
        var momentum = new float[length];
        for (var i = 0; i < length; i++)
            momentum[i] = (float)random.NextDouble();
        return new TestShardState { Values = values, Momentum = momentum, Version = version, Updates = version * 3, Table = "embedding" };
    }

    /// <summary>Asserts bit-for-bit equality, so NaN payloads and the sign of zero count.</summary>
    public static void AssertBitExact(TestShardState? expected, TestShardState? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(Bits(expected.Values), Bits(actual.Values));
        Assert.Equal(Bits(expected.Momentum), Bits(actual.Momentum));
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.Updates, actual.Updates);
        Assert.Equal(expected.Table, actual.Table);
    }

    private static int[]? Bits(float[]? values) => values is null ? null : Array.ConvertAll(values, BitConverter.SingleToInt32Bits);
}
