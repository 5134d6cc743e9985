using System.Runtime.InteropServices;
using ParameterServer.Kernels.Encoding;

namespace ParameterServer.Kernels.Tests.Devices.Cuda;

/// <summary>Bit-exact against the host encoders (Bf16, and Fp16 = System.Half) on the values where rounding is hard.</summary>
[Collection(IlgpuCollection.Name)]
public sealed class EncodingParityTests(ParityDevices devices)
{
    private static float[] HardValues()
    {
        uint[] bits =
        [
            0x0000_0000, 0x8000_0000, 0x3F80_0000, 0xBF80_0000,
            0x3F80_8000, 0x3F81_8000, 0x3F80_8001, 0x3F80_7FFF, // bf16 ties to even (down, up) and either side
            0x7F7F_FFFF, 0xFF7F_FFFF, 0x0000_0001, 0x8000_0001, 0x007F_FFFF, // float max, float subnormals
            0x477F_E000, 0x477F_EFFF, 0x477F_F000, 0x4780_0000, 0xC77F_F000, // 65504, just under and at 65520, 65536
            0x3880_0000, 0x387F_F000, 0x387F_E000, 0x387F_FFFF, // 2^-14 and just below: subnormal halves rounding up to normal
            0x3380_0000, 0x3300_0000, 0x3300_0001, 0x3340_0000, 0x33C0_0000, 0x3280_0000, // 2^-24, 2^-25 (tie to 0), 1.5 * 2^-24
            0x3A00_1000, 0x3A00_3000, // subnormal half ties: to even down, to even up
            0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0001, 0x7F80_0001, 0x7FA0_2000, // infinities, quiet and signalling NaNs
        ];
        var values = bits.Select(BitConverter.UInt32BitsToSingle);
        var random = DeviceData.Uniform(30, 200, -70_000f, 70_000f).Concat(DeviceData.Uniform(31, 200, -1e-4f, 1e-4f));
        return values.Concat(random).ToArray();
    }

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void ToBf16_matches_the_host_encoder_bit_for_bit(string target)
    {
        var device = devices.Get(target);
        var x = HardValues();
        using var dx = device.Upload(x);
        using var bits = device.Allocate<ushort>(x.Length);

        device.ToBf16(dx, bits, x.Length);

        var expected = new byte[2 * x.Length];
        Bf16.Encode(x, expected);
        Assert.Equal(MemoryMarshal.Cast<byte, ushort>(expected).ToArray(), device.Download(bits));
    }

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void ToFp16_matches_System_Half_bit_for_bit(string target)
    {
        var device = devices.Get(target);
        var x = HardValues();
        using var dx = device.Upload(x);
        using var bits = device.Allocate<ushort>(x.Length);

        device.ToFp16(dx, bits, x.Length);

        var expected = new byte[2 * x.Length];
        Fp16.Encode(x, expected);
        Assert.Equal(MemoryMarshal.Cast<byte, ushort>(expected).ToArray(), device.Download(bits));
    }

    [SkippableTheory]
    [MemberData(nameof(ParityDevices.Targets), MemberType = typeof(ParityDevices))]
    public void FromBf16_and_FromFp16_decode_every_bit_pattern_as_the_host_does(string target)
    {
        var device = devices.Get(target);
        var all = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();
        using var bits = device.Upload(all);
        using var x = device.Allocate<float>(all.Length);
        var bytes = MemoryMarshal.AsBytes(all.AsSpan());
        var expected = new float[all.Length];

        device.FromBf16(bits, x, all.Length);
        Bf16.Decode(bytes, expected);
        Assert.Equal(Bits(expected), Bits(device.Download(x)));

        device.FromFp16(bits, x, all.Length);
        Fp16.Decode(bytes, expected);
        Assert.Equal(Bits(expected), Bits(device.Download(x)));
    }

    private static uint[] Bits(float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();
}
