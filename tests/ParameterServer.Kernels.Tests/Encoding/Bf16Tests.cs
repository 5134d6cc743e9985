using System.Buffers.Binary;
using ParameterServer.Kernels.Encoding;

namespace ParameterServer.Kernels.Tests.Encoding;

public class Bf16Tests
{
    public static TheoryData<uint, ushort> KnownPatterns => new()
    {
        { 0x3F80_0000, 0x3F80 }, // 1.0f: the top half, nothing to round
        { 0xBF80_0000, 0xBF80 }, // -1.0f
        { 0x3F80_8000, 0x3F80 }, // 1 + 2^-8, halfway between 0x3F80 and 0x3F81: tie to the even 0x3F80
        { 0x3F81_8000, 0x3F82 }, // halfway between 0x3F81 and 0x3F82: tie to the even 0x3F82
        { 0x3F80_8001, 0x3F81 }, // just above halfway: up
        { 0x3F80_7FFF, 0x3F80 }, // just below halfway: down
        { 0x7F80_0000, 0x7F80 }, // +Inf
        { 0xFF80_0000, 0xFF80 }, // -Inf
        { 0x7F7F_FFFF, 0x7F80 }, // float.MaxValue rounds up past the largest bf16: +Inf
        { 0x7FC0_0000, 0x7FC0 }, // quiet NaN
        { 0xFFC0_0000, 0xFFC0 }, // negative quiet NaN
        { 0x7F80_0001, 0x7FC0 }, // signalling NaN, payload only in the low bits: truncation would give +Inf; quieted
        { 0x0001_0000, 0x0001 }, // the smallest bf16 subnormal, exact
        { 0x0000_8000, 0x0000 }, // half of it: tie to the even 0x0000
        { 0x0001_8000, 0x0002 }, // one and a half: tie to the even 0x0002
        { 0x8000_0000, 0x8000 }, // -0
    };

    [Theory]
    [MemberData(nameof(KnownPatterns))]
    public void Known_floats_encode_to_known_bits_little_endian(uint floatBits, ushort expected)
    {
        // The pattern sits in the vector part and in the tail of a 19-element buffer.
        var src = TestData.Tile([BitConverter.UInt32BitsToSingle(floatBits)]);
        var bytes = new byte[2 * src.Length];
        Bf16.Encode(src, bytes);
        Assert.Equal(expected, Bf16.FromSingle(src[0]));
        for (var i = 0; i < src.Length; i++)
            Assert.Equal(expected, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i)));
    }

    [Fact]
    public void Every_bf16_value_decodes_exactly_and_encodes_back_to_itself()
    {
        // All 65536 patterns: decoding puts the bits on top of a float; NaN patterns stay NaN.
        var bytes = new byte[2 * 65536];
        for (var h = 0; h < 65536; h++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * h), (ushort)h);
        var values = new float[65536];
        Bf16.Decode(bytes, values);
        var again = new byte[bytes.Length];
        Bf16.Encode(values, again);
        for (var h = 0; h < 65536; h++)
        {
            Assert.Equal((uint)h << 16, BitConverter.SingleToUInt32Bits(values[h]));
            var back = BinaryPrimitives.ReadUInt16LittleEndian(again.AsSpan(2 * h));
            if (float.IsNaN(values[h])) Assert.True(float.IsNaN(Bf16.ToSingle(back)), $"0x{h:X4} lost its NaN");
            else Assert.Equal(h, back);
        }
    }

    [Theory]
    [MemberData(nameof(TestData.AwkwardLengths), MemberType = typeof(TestData))]
    public void Vector_encode_and_decode_match_the_scalar_reference_on_random_bits(int length)
    {
        // Random bit patterns cover NaN, Inf, subnormals and both signs.
        var rng = new Random(length);
        var src = new float[length];
        for (var i = 0; i < length; i++) src[i] = BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(0, 1L << 32));
        var bytes = new byte[2 * length];
        Bf16.Encode(src, bytes);
        for (var i = 0; i < length; i++)
            Assert.Equal(Bf16.FromSingle(src[i]), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i)));
        var decoded = new float[length];
        Bf16.Decode(bytes, decoded);
        for (var i = 0; i < length; i++)
            Assert.Equal(Bf16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i))), decoded[i]);
    }

    [Fact]
    public void Finite_values_round_to_the_nearest_bf16()
    {
        // Independent of the bit trick: no neighbour of the result is closer to x (compared in double).
        var x = TestData.Uniform(7, 4099, 1e3f);
        var bytes = new byte[2 * x.Length];
        Bf16.Encode(x, bytes);
        for (var i = 0; i < x.Length; i++)
        {
            var h = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i));
            var error = Math.Abs(x[i] - (double)Bf16.ToSingle(h));
            Assert.True(error <= Math.Abs(x[i] - (double)Bf16.ToSingle((ushort)(h + 1))), $"{x[i]:R}: next up is closer");
            Assert.True(error <= Math.Abs(x[i] - (double)Bf16.ToSingle((ushort)(h - 1))), $"{x[i]:R}: next down is closer");
        }
    }

    [Fact]
    public void Mismatched_lengths_throw()
    {
        Assert.Throws<ArgumentException>(() => Bf16.Encode(new float[3], new byte[5]));
        Assert.Throws<ArgumentException>(() => Bf16.Decode(new byte[5], new float[3]));
    }
}
