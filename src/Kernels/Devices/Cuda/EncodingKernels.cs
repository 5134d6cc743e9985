using ILGPU;

namespace ParameterServer.Kernels.Devices.Cuda;

/// <summary>
/// Device code for the transfer encodings, bit-exact with <see cref="Encoding.Bf16"/> and <see cref="Encoding.Fp16"/>
/// (System.Half). Integer arithmetic only: a GPU's fast-math float conversions may flush subnormals.
/// </summary>
internal static class EncodingKernels
{
    public static void ToBf16(Index1D i, ArrayView<float> x, ArrayView<ushort> bits) => bits[i] = Bf16Bits(x[i]);

    public static void FromBf16(Index1D i, ArrayView<ushort> bits, ArrayView<float> x) =>
        x[i] = Interop.IntAsFloat((uint)bits[i] << 16);

    public static void ToFp16(Index1D i, ArrayView<float> x, ArrayView<ushort> bits) => bits[i] = Fp16Bits(x[i]);

    public static void FromFp16(Index1D i, ArrayView<ushort> bits, ArrayView<float> x) => x[i] = Fp16ToFloat(bits[i]);

    /// <summary>The top 16 bits rounded to nearest even; a NaN keeps its sign and payload and is made quiet.</summary>
    public static ushort Bf16Bits(float value)
    {
        var bits = Interop.FloatAsInt(value);
        if ((bits & 0x7FFF_FFFFu) > 0x7F80_0000u) return (ushort)((bits >> 16) | 0x40);
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1)) >> 16);
    }

    /// <summary>IEEE binary16 bits, rounded to nearest even, overflow to infinity, NaN quiet with the payload's top bits.</summary>
    public static ushort Fp16Bits(float value)
    {
        var bits = Interop.FloatAsInt(value);
        var sign = (bits >> 16) & 0x8000u;
        var a = bits & 0x7FFF_FFFFu;
        if (a > 0x7F80_0000u) return (ushort)(sign | 0x7E00u | ((a & 0x7F_FFFFu) >> 13));
        // 65520 is halfway between 65504 (the largest half, odd mantissa) and 65536: it and above round to infinity.
        if (a >= 0x477F_F000u) return (ushort)(sign | 0x7C00u);
        if (a >= 0x3880_0000u)
        {
            // Normal half: rebias the exponent (127 - 15 = 112) and round the 13 dropped mantissa bits.
            var r = a - 0x3800_0000u;
            return (ushort)(sign | ((r + 0x0FFFu + ((r >> 13) & 1)) >> 13));
        }
        // Below 2^-25 everything rounds to zero (2^-25 itself ties to the even 0).
        if (a <= 0x3300_0000u) return (ushort)sign;
        // Subnormal half h * 2^-24 = m * 2^(e - 150), so h = m >> (126 - e), rounded to nearest even; a carry into
        // 0x400 is the smallest normal half, which is the right encoding.
        var e = (int)(a >> 23);
        var m = (a & 0x7F_FFFFu) | 0x80_0000u;
        var shift = 126 - e;
        var h = m >> shift;
        var rest = m & ((1u << shift) - 1);
        var halfway = 1u << (shift - 1);
        if (rest > halfway || (rest == halfway && (h & 1) != 0)) h++;
        return (ushort)(sign | h);
    }

    /// <summary>Exact widening; a NaN is made quiet as System.Half's conversion does.</summary>
    public static float Fp16ToFloat(ushort half)
    {
        var sign = ((uint)half & 0x8000u) << 16;
        var exponent = ((uint)half >> 10) & 0x1Fu;
        var mantissa = (uint)half & 0x3FFu;
        if (exponent == 0x1F)
            return Interop.IntAsFloat(sign | 0x7F80_0000u | (mantissa == 0 ? 0 : 0x40_0000u | (mantissa << 13)));
        if (exponent == 0)
        {
            // A subnormal half is a normal float: mantissa * 2^-24 is exact.
            var magnitude = mantissa * (1f / 16_777_216f);
            return Interop.IntAsFloat(sign | Interop.FloatAsInt(magnitude));
        }
        return Interop.IntAsFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
