using System.Runtime.InteropServices;
using ParameterServer.Kernels.Encoding;

namespace ParameterServer.Contracts;

/// <summary>Turns float32 values into payload bytes of a <see cref="TensorEncoding"/> and back.</summary>
public static class PayloadCodec
{
    /// <summary>Byte length of <paramref name="elements"/> values in <paramref name="encoding"/>.</summary>
    public static long ByteLength(TensorEncoding encoding, long elements) => elements * encoding.ElementSize();

    public static byte[] Encode(ReadOnlySpan<float> values, TensorEncoding encoding)
    {
        var bytes = new byte[ByteLength(encoding, values.Length)];
        Encode(values, encoding, bytes);
        return bytes;
    }

    public static void Encode(ReadOnlySpan<float> values, TensorEncoding encoding, Span<byte> dest)
    {
        switch (encoding)
        {
            case TensorEncoding.Fp32: MemoryMarshal.AsBytes(values).CopyTo(dest); break;
            case TensorEncoding.Bf16: Bf16.Encode(values, dest); break;
            case TensorEncoding.Fp16: Fp16.Encode(values, dest); break;
            default: throw new ParameterServerException(ErrorCode.UnknownEncoding, $"unknown tensor encoding {(int)encoding}");
        }
    }

    /// <summary>Decodes into <paramref name="dest"/>; a payload of the wrong length is <see cref="ErrorCode.WrongLength"/>.</summary>
    public static void Decode(ReadOnlySpan<byte> payload, TensorEncoding encoding, Span<float> dest)
    {
        var expected = ByteLength(encoding, dest.Length);
        if (payload.Length != expected)
            throw new ParameterServerException(ErrorCode.WrongLength, $"payload of {payload.Length} bytes, expected {expected} ({dest.Length} {encoding} values)");
        switch (encoding)
        {
            case TensorEncoding.Fp32: payload.CopyTo(MemoryMarshal.AsBytes(dest)); break;
            case TensorEncoding.Bf16: Bf16.Decode(payload, dest); break;
            default: Fp16.Decode(payload, dest); break;
        }
    }
}
