using System.Text;
using ParameterServer.Host.Export;
using Xunit;

namespace ParameterServer.Tests.Cli;

/// <summary>The .msgpack export matches the MessagePack specification, byte by byte, built here by hand.</summary>
public sealed class MessagePackTableWriterTests
{
    [Fact]
    public void A_1x2_row_is_a_map_of_six_entries_with_the_floats_as_bin8()
    {
        var stream = new MemoryStream();

        MessagePackTableWriter.Write(stream, "m", "t", rowStart: 2, [1f, -2f], rows: 1, cols: 2);

        var expected = new List<byte> { 0x86 };                 // fixmap of 6 entries
        Str(expected, "model"); Str(expected, "m");             // fixstr: 0xa0 | length, then UTF-8
        Str(expected, "table"); Str(expected, "t");
        Str(expected, "rowStart"); expected.Add(0x02);          // positive fixint 2
        Str(expected, "shape"); expected.AddRange([0x92, 0x01, 0x02]); // fixarray of 2: [1, 2]
        Str(expected, "dtype"); Str(expected, "<f4");
        Str(expected, "data"); expected.AddRange([0xC4, 0x08]); // bin 8, 8 bytes
        expected.AddRange([0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0]);   // 1f = 0x3F800000, -2f = 0xC0000000, little-endian

        Assert.Equal(expected.ToArray(), stream.ToArray());
    }

    private static void Str(List<byte> bytes, string s)
    {
        bytes.Add((byte)(0xA0 | s.Length));
        bytes.AddRange(Encoding.UTF8.GetBytes(s));
    }
}
