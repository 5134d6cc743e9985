namespace ParameterServer.Kernels.Encoding;

/// <summary>bfloat16: the top 16 bits of an IEEE float32, rounded to nearest even; NaN stays NaN.</summary>
public static class Bf16
{
    public static void Encode(ReadOnlySpan<float> src, Span<byte> dst)
    {
        Shapes.Check(src.Length * 2, dst.Length);
        for (var i = 0; i < src.Length; i++)
        {
            var bits = BitConverter.SingleToUInt32Bits(src[i]);
            ushort h;
            if (float.IsNaN(src[i])) h = (ushort)((bits >> 16) | 0x40);
            else h = (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
            dst[2 * i] = (byte)h;
            dst[2 * i + 1] = (byte)(h >> 8);
        }
    }

    public static void Decode(ReadOnlySpan<byte> src, Span<float> dst)
    {
        Shapes.Check(dst.Length * 2, src.Length);
        for (var i = 0; i < dst.Length; i++)
            dst[i] = BitConverter.UInt32BitsToSingle((uint)(src[2 * i] | (src[2 * i + 1] << 8)) << 16);
    }
}
