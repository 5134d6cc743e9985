using System.IO.Compression;

namespace ParameterServer.Workers.Tests.Data;

/// <summary>IDX files written byte by byte from the format's description, independent of the reader under test.</summary>
public static class IdxBytes
{
    /// <summary>0x00 0x00, the type byte, the dimension count, each size as a big-endian uint32, then the values.</summary>
    public static byte[] Build(int[] sizes, byte[] values, byte type = 0x08)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)sizes.Length };
        foreach (var size in sizes)
            bytes.AddRange([(byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size]);
        bytes.AddRange(values);
        return [.. bytes];
    }

    public static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
            gzip.Write(raw);
        return output.ToArray();
    }

    public static byte[] Sequence(int count) => [.. Enumerable.Range(0, count).Select(i => (byte)(i * 7 + 3))];
}
