using System.Runtime.InteropServices;
using System.Text;

namespace ParameterServer.Host.Export;

/// <summary>
/// Writes a rows x cols float32 matrix as a NumPy .npy file, format version 1.0: the magic "\x93NUMPY", version 1.0,
/// a little-endian uint16 header length, an ASCII dict padded with spaces and ended by '\n' so the data starts at a
/// multiple of 64 bytes, then the values little-endian in C (row-major) order.
/// </summary>
internal static class NpyWriter
{
    private const int Alignment = 64;
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];

    public static void Write(Stream stream, ReadOnlySpan<float> values, int rows, int cols)
    {
        if (rows < 0 || cols < 0 || (long)rows * cols != values.Length)
            throw new ArgumentException($"{values.Length} values are not a {rows} x {cols} matrix");
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("the .npy writer writes '<f4' from the machine's own float layout");
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {cols}), }}";
        var prefixLength = Magic.Length + sizeof(ushort);
        var unpadded = prefixLength + dict.Length + 1;
        var headerLength = (unpadded + Alignment - 1) / Alignment * Alignment - prefixLength;
        var header = Encoding.ASCII.GetBytes(dict.PadRight(headerLength - 1) + "\n");

        stream.Write(Magic);
        Span<byte> length = [(byte)headerLength, (byte)(headerLength >> 8)];
        stream.Write(length);
        stream.Write(header);
        stream.Write(MemoryMarshal.AsBytes(values));
    }
}
