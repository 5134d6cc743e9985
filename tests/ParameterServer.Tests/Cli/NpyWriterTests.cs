using System.Text;
using ParameterServer.Host.Export;
using Xunit;

namespace ParameterServer.Tests.Cli;

/// <summary>The .npy bytes match the format specification (numpy.lib.format, version 1.0), built here by hand.</summary>
public sealed class NpyWriterTests
{
    [Fact]
    public void A_2x3_matrix_is_magic_version_padded_header_then_little_endian_floats()
    {
        var stream = new MemoryStream();

        NpyWriter.Write(stream, [1f, -2f, 0.5f, 0f, 3f, 1024f], rows: 2, cols: 3);

        // The dict is 59 characters; magic (6) + version (2) + length (2) + dict + '\n' = 70, padded with spaces to
        // the next multiple of 64, 128: header length 128 - 10 = 118 = 0x76, of which 59 dict + 58 spaces + '\n'.
        const string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        var expected = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 0x01, 0x00, 0x76, 0x00 };
        expected.AddRange(Encoding.ASCII.GetBytes(dict));
        expected.AddRange(Enumerable.Repeat((byte)' ', 118 - dict.Length - 1));
        expected.Add((byte)'\n');
        // IEEE 754 single precision, little-endian: 1 = 0x3F800000, -2 = 0xC0000000, 0.5 = 0x3F000000, 0 = 0,
        // 3 = 0x40400000, 1024 = 2^10 = 0x44800000.
        expected.AddRange([0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0, 0, 0, 0, 0x3F, 0, 0, 0, 0, 0, 0, 0x40, 0x40, 0, 0, 0x80, 0x44]);

        Assert.Equal(expected.ToArray(), stream.ToArray());
    }

    [Fact]
    public void The_data_of_a_large_shape_still_starts_on_a_64_byte_boundary()
    {
        var stream = new MemoryStream();

        NpyWriter.Write(stream, new float[1000 * 1], rows: 1000, cols: 1);

        var headerLength = stream.ToArray()[8] | (stream.ToArray()[9] << 8);
        Assert.Equal(0, (10 + headerLength) % 64);
        Assert.Equal(10 + headerLength + 4000, stream.Length);
        Assert.Equal((byte)'\n', stream.ToArray()[10 + headerLength - 1]);
        Assert.Contains("'shape': (1000, 1), }", Encoding.ASCII.GetString(stream.ToArray(), 10, headerLength));
    }

    [Fact]
    public void Values_that_are_not_rows_x_cols_are_refused()
    {
        Assert.Throws<ArgumentException>(() => NpyWriter.Write(new MemoryStream(), new float[5], rows: 2, cols: 3));
    }
}
