using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace ParameterServer.Kernels.Encoding;

/// <summary>
/// bfloat16, little-endian: the top 16 bits of an IEEE float32, rounded to nearest even; NaN stays NaN (quieted).
/// </summary>
public static class Bf16
{
    private const uint SignlessMask = 0x7FFF_FFFF;
    private const uint Infinity = 0x7F80_0000;

    /// <summary>Encodes <paramref name="src"/> into 2 bytes per element. Example: <c>Bf16.Encode(values, bytes)</c>.</summary>
    public static void Encode(ReadOnlySpan<float> src, Span<byte> dst)
    {
        Shapes.Check(src.Length * 2, dst.Length);
        // The vector path writes native-endian ushorts, which is the wire order only on little-endian machines.
        var done = BitConverter.IsLittleEndian ? EncodeVectors(src, MemoryMarshal.Cast<byte, ushort>(dst)) : 0;
        for (var i = done; i < src.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(dst[(2 * i)..], FromSingle(src[i]));
    }

    /// <summary>Decodes 2 bytes per element into <paramref name="dst"/> (exact). Example: <c>Bf16.Decode(bytes, values)</c>.</summary>
    public static void Decode(ReadOnlySpan<byte> src, Span<float> dst)
    {
        Shapes.Check(dst.Length * 2, src.Length);
        var done = BitConverter.IsLittleEndian ? DecodeVectors(MemoryMarshal.Cast<byte, ushort>(src), dst) : 0;
        for (var i = done; i < dst.Length; i++)
            dst[i] = ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]));
    }

    /// <summary>The scalar reference: round to nearest even by adding 0x7FFF plus the lowest kept bit, then truncating.</summary>
    public static ushort FromSingle(float x)
    {
        var bits = BitConverter.SingleToUInt32Bits(x);
        if ((bits & SignlessMask) > Infinity) return (ushort)((bits >> 16) | 0x40);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    /// <summary>The scalar reference decode: bf16 bits become the top half of a float32.</summary>
    public static float ToSingle(ushort h) => BitConverter.UInt32BitsToSingle((uint)h << 16);

    /// <summary><see cref="FromSingle"/> on whole vectors, two float vectors per ushort vector; returns the elements done.</summary>
    private static int EncodeVectors(ReadOnlySpan<float> src, Span<ushort> dst)
    {
        var x = MemoryMarshal.Cast<float, Vector<uint>>(src);
        var h = MemoryMarshal.Cast<ushort, Vector<ushort>>(dst);
        for (var i = 0; i < h.Length; i++)
            h[i] = Vector.Narrow(ToBf16Bits(x[2 * i]), ToBf16Bits(x[2 * i + 1]));
        return h.Length * Vector<ushort>.Count;
    }

    private static Vector<uint> ToBf16Bits(Vector<uint> bits)
    {
        var rounded = (bits + new Vector<uint>(0x7FFF) + ((bits >> 16) & Vector<uint>.One)) >> 16;
        var quietNaN = (bits >> 16) | new Vector<uint>(0x40);
        var isNaN = Vector.GreaterThan(bits & new Vector<uint>(SignlessMask), new Vector<uint>(Infinity));
        return Vector.ConditionalSelect(isNaN, quietNaN, rounded);
    }

    private static int DecodeVectors(ReadOnlySpan<ushort> src, Span<float> dst)
    {
        var h = MemoryMarshal.Cast<ushort, Vector<ushort>>(src);
        var x = MemoryMarshal.Cast<float, Vector<uint>>(dst);
        for (var i = 0; i < h.Length; i++)
        {
            Vector.Widen(h[i], out var low, out var high);
            x[2 * i] = low << 16;
            x[2 * i + 1] = high << 16;
        }
        return h.Length * Vector<ushort>.Count;
    }
}
