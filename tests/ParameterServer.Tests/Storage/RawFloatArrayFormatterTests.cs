using System.Buffers.Binary;
using MessagePack.Resolvers;
using MessagePack;
using ParameterServer.Grains.Storage;
using Xunit;

namespace ParameterServer.Tests.Storage;

public class RawFloatArrayFormatterTests
{
    private static readonly MessagePackSerializerOptions _raw = MessagePackSerializerOptions.Standard.WithResolver(
        CompositeResolver.Create([RawFloatArrayFormatter.Instance], [StandardResolver.Instance]));

    [Fact]
    public void Writes_one_bin_blob_of_little_endian_floats()
    {
        var values = TestShardState.Create(seed: 1, length: 1000, version: 0).Values;

        var bytes = MessagePackSerializer.Serialize(values, _raw);

        // msgpack bin 16: marker 0xc5, big-endian length 4000 = 0x0fa0, then 4 bytes per float.
        Assert.Equal(3 + 4 * 1000, bytes.Length);
        Assert.Equal([0xc5, 0x0f, 0xa0], bytes[..3]);
        for (var i = 0; i < values.Length; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(values[i]), BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(3 + 4 * i)));
    }

    [Fact]
    public void Takes_four_bytes_per_float_where_the_standard_formatter_takes_five()
    {
        var values = TestShardState.Create(seed: 2, length: 1000, version: 0).Values;

        var standard = MessagePackSerializer.Serialize(values, MessagePackSerializerOptions.Standard);
        var raw = MessagePackSerializer.Serialize(values, _raw);

        // Standard: array 16 header (3 bytes), then 0xca + 4 bytes per float.
        Assert.Equal(3 + 5 * 1000, standard.Length);
        Assert.Equal(3 + 4 * 1000, raw.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100_000)]
    public void Round_trips_bit_exact(int length)
    {
        var values = TestShardState.Create(seed: 3, length, version: 0).Values;

        var back = MessagePackSerializer.Deserialize<float[]>(MessagePackSerializer.Serialize(values, _raw), _raw);

        Assert.Equal(Array.ConvertAll(values, BitConverter.SingleToInt32Bits), Array.ConvertAll(back, BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Round_trips_null()
    {
        var bytes = MessagePackSerializer.Serialize<float[]?>(null, _raw);

        Assert.Equal([0xc0], bytes);
        Assert.Null(MessagePackSerializer.Deserialize<float[]?>(bytes, _raw));
    }

    [Fact]
    public void Refuses_a_blob_that_is_not_whole_floats()
    {
        byte[] sixBytes = [0xc4, 0x06, 1, 2, 3, 4, 5, 6];

        var e = Assert.Throws<MessagePackSerializationException>(() => MessagePackSerializer.Deserialize<float[]>(sixBytes, _raw));

        Assert.Contains("6 bytes is not a whole number of 4-byte floats", e.ToString());
    }
}
