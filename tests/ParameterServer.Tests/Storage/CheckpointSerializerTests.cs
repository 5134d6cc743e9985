using System.Buffers.Binary;
using ParameterServer.Grains.Storage;
using Xunit;

namespace ParameterServer.Tests.Storage;

public class CheckpointSerializerTests
{
    private readonly CheckpointSerializer _serializer = new();

    [Fact]
    public void Round_trips_a_state_bit_exact()
    {
        var state = TestShardState.Create(seed: 11, length: 10_000, version: 42);

        var back = _serializer.Deserialize<TestShardState>(_serializer.Serialize(state));

        TestShardState.AssertBitExact(state, back);
    }

    [Fact]
    public void Writes_the_envelope_and_float_arrays_as_bin_blobs()
    {
        var values = TestShardState.Create(seed: 12, length: 1000, version: 0).Values;
        var state = new TestShardState { Values = values, Momentum = null, Version = 7, Updates = 3, Table = "t" };

        var bytes = _serializer.Serialize(state).ToArray();

        // Payload by hand: fixarray of 5 (0x95); Values as bin 16 (0xc5, length 0x0fa0, 4000 bytes);
        // Momentum nil (0xc0); Version 7 and Updates 3 as positive fixints; "t" as fixstr (0xa1 0x74).
        // 1 + 3 + 4000 + 1 + 1 + 1 + 2 = 4009 bytes, after the 24-byte header.
        Assert.Equal(24 + 4009, bytes.Length);
        Assert.Equal("PSCK"u8.ToArray(), bytes[..4]);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(4009L, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(System.IO.Hashing.XxHash64.HashToUInt64(bytes.AsSpan(24)), BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16)));
        Assert.Equal([0x95, 0xc5, 0x0f, 0xa0], bytes[24..28]);
        for (var i = 0; i < values.Length; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(values[i]), BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(28 + 4 * i)));
        Assert.Equal([0xc0, 0x07, 0x03, 0xa1, 0x74], bytes[^5..]);
    }
}
