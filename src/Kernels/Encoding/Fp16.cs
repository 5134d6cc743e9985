using System.Buffers.Binary;

namespace ParameterServer.Kernels.Encoding;

/// <summary>IEEE half precision, little-endian, rounded to nearest even (System.Half).</summary>
public static class Fp16
{
    public static void Encode(ReadOnlySpan<float> src, Span<byte> dst)
    {
        Shapes.Check(src.Length * 2, dst.Length);
        for (var i = 0; i < src.Length; i++)
            BinaryPrimitives.WriteHalfLittleEndian(dst.Slice(2 * i, 2), (Half)src[i]);
    }

    public static void Decode(ReadOnlySpan<byte> src, Span<float> dst)
    {
        Shapes.Check(dst.Length * 2, src.Length);
        for (var i = 0; i < dst.Length; i++)
            dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src.Slice(2 * i, 2));
    }
}
