using System.Buffers;
using System.Runtime.InteropServices;
using MessagePack;

namespace ParameterServer.Host.Export;

/// <summary>
/// Writes rows of a table as one MessagePack map: model, table, rowStart, shape [rows, cols], dtype "&lt;f4" and
/// data, the values as binary little-endian float32 in row-major order (the layout of a .npy body).
/// </summary>
internal static class MessagePackTableWriter
{
    public static void Write(Stream stream, string model, string table, int rowStart, ReadOnlySpan<float> values, int rows, int cols)
    {
        if (rows < 0 || cols < 0 || (long)rows * cols != values.Length)
            throw new ArgumentException($"{values.Length} values are not a {rows} x {cols} matrix");
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("the MessagePack writer writes '<f4' from the machine's own float layout");
        var buffer = new ArrayBufferWriter<byte>(values.Length * sizeof(float) + 256);
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(6);
        writer.Write("model");
        writer.Write(model);
        writer.Write("table");
        writer.Write(table);
        writer.Write("rowStart");
        writer.Write(rowStart);
        writer.Write("shape");
        writer.WriteArrayHeader(2);
        writer.Write(rows);
        writer.Write(cols);
        writer.Write("dtype");
        writer.Write("<f4");
        writer.Write("data");
        writer.Write(MemoryMarshal.AsBytes(values));
        writer.Flush();
        stream.Write(buffer.WrittenSpan);
    }
}
