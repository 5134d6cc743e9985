using System.Buffers.Binary;
using ParameterServer.Kernels.Encoding;

namespace ParameterServer.Kernels.Tests.Encoding;

public class Fp16Tests
{
    public static TheoryData<float, ushort> KnownPatterns => new()
    {
        { 1f, 0x3C00 },
        { -2f, 0xC000 },
        { 1f + MathF.Pow(2, -11), 0x3C00 },     // halfway between 1 and 1 + 2^-10: tie to the even 0x3C00
        { 1f + 3 * MathF.Pow(2, -11), 0x3C02 }, // halfway between 0x3C01 and 0x3C02: tie to the even 0x3C02
        { 65504f, 0x7BFF },                     // the largest half
        { 65519f, 0x7BFF },                     // below the halfway point 65520: stays finite
        { 65520f, 0x7C00 },                     // halfway to 2^16: overflows to +Inf
        { -1e6f, 0xFC00 },                      // overflow to -Inf
        { float.PositiveInfinity, 0x7C00 },
        { float.NegativeInfinity, 0xFC00 },
        { MathF.Pow(2, -14), 0x0400 },          // the smallest normal half
        { MathF.Pow(2, -24), 0x0001 },          // the smallest subnormal half
        { 3 * MathF.Pow(2, -24), 0x0003 },      // a subnormal, exact
        { MathF.Pow(2, -25), 0x0000 },          // half of the smallest subnormal: tie to the even 0
        { 3 * MathF.Pow(2, -25), 0x0002 },      // one and a half subnormals: tie to the even 0x0002
        { -0f, 0x8000 },
    };

    [Theory]
    [MemberData(nameof(KnownPatterns))]
    public void Known_floats_encode_to_known_bits_little_endian(float x, ushort expected)
    {
        var src = TestData.Tile([x]);
        var bytes = new byte[2 * src.Length];
        Fp16.Encode(src, bytes);
        for (var i = 0; i < src.Length; i++)
            Assert.Equal(expected, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i)));
    }

    [Fact]
    public void NaN_stays_NaN()
    {
        var src = TestData.Tile([float.NaN, BitConverter.UInt32BitsToSingle(0xFF80_0001)]);
        var bytes = new byte[2 * src.Length];
        Fp16.Encode(src, bytes);
        var back = new float[src.Length];
        Fp16.Decode(bytes, back);
        Assert.All(back, x => Assert.True(float.IsNaN(x)));
    }

    [Theory]
    [InlineData((ushort)0x3555, 0.333251953125)]         // 1.0101010101b * 2^-2 = 1365/4096
    [InlineData((ushort)0x0001, 5.9604644775390625e-8)]  // 2^-24
    [InlineData((ushort)0x7BFF, 65504.0)]
    [InlineData((ushort)0xC400, -4.0)]
    public void Known_bits_decode_to_known_floats(ushort bits, double expected)
    {
        var bytes = new byte[2 * 19];
        for (var i = 0; i < 19; i++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), bits);
        var values = new float[19];
        Fp16.Decode(bytes, values);
        Assert.All(values, x => Assert.Equal(expected, x));
    }

    [Fact]
    public void Every_half_value_encodes_back_to_itself()
    {
        var bytes = new byte[2 * 65536];
        for (var h = 0; h < 65536; h++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * h), (ushort)h);
        var values = new float[65536];
        Fp16.Decode(bytes, values);
        var again = new byte[bytes.Length];
        Fp16.Encode(values, again);
        for (var h = 0; h < 65536; h++)
        {
            Assert.Equal((float)BitConverter.UInt16BitsToHalf((ushort)h), values[h]);
            if (!float.IsNaN(values[h])) Assert.Equal(h, BinaryPrimitives.ReadUInt16LittleEndian(again.AsSpan(2 * h)));
        }
    }

    [Theory]
    [MemberData(nameof(TestData.AwkwardLengths), MemberType = typeof(TestData))]
    public void Vector_encode_matches_a_cast_to_Half_on_random_bits(int length)
    {
        var rng = new Random(length);
        var src = new float[length];
        for (var i = 0; i < length; i++) src[i] = BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(0, 1L << 32));
        var bytes = new byte[2 * length];
        Fp16.Encode(src, bytes);
        for (var i = 0; i < length; i++)
        {
            var expected = BitConverter.HalfToUInt16Bits((Half)src[i]);
            var actual = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i));
            if (float.IsNaN(src[i])) Assert.True(Half.IsNaN(BitConverter.UInt16BitsToHalf(actual)));
            else Assert.Equal(expected, actual);
        }
    }
}
