using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace ParameterServer.Kernels.Encoding;

/// <summary>IEEE half precision, little-endian, rounded to nearest even (the same rounding as a cast to System.Half).</summary>
public static class Fp16
{
    /// <summary>Encodes <paramref name="src"/> into 2 bytes per element. Example: <c>Fp16.Encode(values, bytes)</c>.</summary>
    public static void Encode(ReadOnlySpan<float> src, Span<byte> dst)
    {
        Shapes.Check(src.Length * 2, dst.Length);
        // TensorPrimitives writes native-endian halves, which is the wire order only on little-endian machines.
        if (BitConverter.IsLittleEndian)
            TensorPrimitives.ConvertToHalf(src, MemoryMarshal.Cast<byte, Half>(dst));
        else
            for (var i = 0; i < src.Length; i++)
                BinaryPrimitives.WriteHalfLittleEndian(dst[(2 * i)..], (Half)src[i]);
    }

    /// <summary>Decodes 2 bytes per element into <paramref name="dst"/> (exact). Example: <c>Fp16.Decode(bytes, values)</c>.</summary>
    public static void Decode(ReadOnlySpan<byte> src, Span<float> dst)
    {
        Shapes.Check(dst.Length * 2, src.Length);
        if (BitConverter.IsLittleEndian)
            TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(src), dst);
        else
            for (var i = 0; i < dst.Length; i++)
                dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src[(2 * i)..]);
    }
}
