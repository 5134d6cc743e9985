using System.Buffers.Binary;
using System.IO.Compression;

namespace ParameterServer.Workers.Data;

/// <summary>
/// Reads IDX files (the MNIST format): two zero bytes, a data type byte, a dimension count byte, one big-endian
/// uint32 size per dimension, then the values. Gzip is recognized by its magic bytes, not by the file's name.
/// Example: <c>var labels = IdxFile.Read("train-labels-idx1-ubyte.gz", dimensions: 1);</c>
/// </summary>
public static class IdxFile
{
    private const byte UnsignedByte = 0x08;
    private const int GzipMagic1 = 0x1f;
    private const int GzipMagic2 = 0x8b;

    /// <summary>Reads an IDX file of unsigned bytes with exactly <paramref name="dimensions"/> dimensions, none of them empty.</summary>
    public static IdxArray Read(string path, int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        try
        {
            using var file = Open(path);
            using var stream = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
            return ReadFrom(stream, path, dimensions);
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException($"{path}: not a valid gzip stream ({e.Message})", e);
        }
    }

    private static FileStream Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new DatasetException($"{path}: cannot be opened ({e.Message})", e);
        }
    }

    private static bool IsGzip(FileStream file)
    {
        var first = file.ReadByte();
        var second = file.ReadByte();
        file.Position = 0;
        return first == GzipMagic1 && second == GzipMagic2;
    }

    private static IdxArray ReadFrom(Stream stream, string path, int dimensions)
    {
        Span<byte> magic = stackalloc byte[4];
        var headerRead = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        if (headerRead == 0)
            throw new DatasetException($"{path}: is empty (no bytes)");
        if (headerRead < magic.Length)
            throw Truncated(path, "the header", magic.Length, headerRead);
        if (magic[0] != 0 || magic[1] != 0)
            throw new DatasetException($"{path}: wrong magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(magic):x8}; an IDX file starts with two zero bytes");
        if (magic[2] != UnsignedByte)
            throw new DatasetException($"{path}: data type 0x{magic[2]:x2} ({TypeName(magic[2])}) is not supported; expected 0x08 (unsigned byte)");
        if (magic[3] != dimensions)
            throw new DatasetException($"{path}: has {magic[3]} dimensions; expected {dimensions}");

        Span<byte> sizeBytes = stackalloc byte[4 * dimensions];
        ReadExactly(stream, sizeBytes, path, "the dimension sizes");
        var sizes = new int[dimensions];
        long total = 1;
        for (var d = 0; d < dimensions; d++)
        {
            var size = BinaryPrimitives.ReadUInt32BigEndian(sizeBytes[(4 * d)..]);
            if (size == 0)
                throw new DatasetException($"{path}: is empty (dimension {d} has size 0)");
            total *= size;
            if (total > Array.MaxLength)
                throw new DatasetException($"{path}: declares more than {Array.MaxLength} values");
            sizes[d] = (int)size;
        }

        var values = new byte[total];
        ReadExactly(stream, values, path, $"{total} values ({string.Join(" x ", sizes)})");
        if (stream.ReadByte() != -1)
            throw new DatasetException($"{path}: has bytes after the {total} values its header declares");
        return new IdxArray(sizes, values);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
            throw Truncated(path, what, buffer.Length, read);
    }

    private static DatasetException Truncated(string path, string what, int needed, int found) =>
        new($"{path}: truncated: expected {needed} bytes for {what}, found {found}");

    private static string TypeName(byte type) => type switch
    {
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "unknown",
    };
}
