namespace ParameterServer.Contracts;

/// <summary>How float32 values travel as bytes (little-endian). Servers keep fp32 master weights.</summary>
[GenerateSerializer]
public enum TensorEncoding
{
    Fp32 = 0,
    Bf16 = 1,
    Fp16 = 2,
}

public static class TensorEncodings
{
    /// <summary>Bytes per element, or throws <see cref="ErrorCode.UnknownEncoding"/>.</summary>
    public static int ElementSize(this TensorEncoding encoding) => encoding switch
    {
        TensorEncoding.Fp32 => 4,
        TensorEncoding.Bf16 or TensorEncoding.Fp16 => 2,
        _ => throw new ParameterServerException(ErrorCode.UnknownEncoding, $"unknown tensor encoding {(int)encoding}"),
    };
}
