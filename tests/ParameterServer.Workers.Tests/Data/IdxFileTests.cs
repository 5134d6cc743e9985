using ParameterServer.Workers.Data;

namespace ParameterServer.Workers.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false, "images-idx3-ubyte")]
    [InlineData(true, "images-idx3-ubyte.gz")]
    [InlineData(true, "gzip-without-suffix")]
    [InlineData(false, "raw-with-suffix.gz")]
    public void Reads_images_raw_or_gzip_by_their_magic_bytes_not_their_name(bool gzip, string name)
    {
        var values = IdxBytes.Sequence(2 * 3 * 4);
        var raw = IdxBytes.Build([2, 3, 4], values);
        var path = Write(name, gzip ? IdxBytes.Gzip(raw) : raw);

        var array = IdxFile.Read(path, dimensions: 3);

        Assert.Equal([2, 3, 4], array.Dimensions);
        Assert.Equal(2, array.Count);
        Assert.Equal(values, array.Values);
    }

    [Fact]
    public void Reads_labels()
    {
        var path = Write("labels", IdxBytes.Build([5], [9, 0, 3, 3, 1]));

        var array = IdxFile.Read(path, dimensions: 1);

        Assert.Equal([5], array.Dimensions);
        Assert.Equal(new byte[] { 9, 0, 3, 3, 1 }, array.Values);
    }

    [Fact]
    public void Reads_sizes_as_big_endian()
    {
        // 0x00000102 = 258 items: a little-endian reader would see 0x02010000.
        var path = Write("labels", IdxBytes.Build([258], IdxBytes.Sequence(258)));

        Assert.Equal(258, IdxFile.Read(path, dimensions: 1).Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_file_cut_short_in_its_values_is_truncated(bool gzip)
    {
        var raw = IdxBytes.Build([2, 3, 4], IdxBytes.Sequence(2 * 3 * 4))[..^5];
        var path = Write("cut", gzip ? IdxBytes.Gzip(raw) : raw);

        var e = Assert.Throws<DatasetException>(() => IdxFile.Read(path, dimensions: 3));

        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("expected 24 bytes for 24 values (2 x 3 x 4), found 19", e.Message);
    }

    [Fact]
    public void A_file_cut_short_in_its_header_is_truncated()
    {
        var path = Write("cut", [0, 0, 8]);

        var e = Assert.Throws<DatasetException>(() => IdxFile.Read(path, dimensions: 1));

        Assert.Contains(path, e.Message);
        Assert.Contains("truncated: expected 4 bytes for the header, found 3", e.Message);
    }

    [Fact]
    public void A_file_cut_short_in_its_sizes_is_truncated()
    {
        var path = Write("cut", IdxBytes.Build([2, 3, 4], [])[..10]);

        var e = Assert.Throws<DatasetException>(() => IdxFile.Read(path, dimensions: 3));

        Assert.Contains("truncated: expected 12 bytes for the dimension sizes, found 6", e.Message);
    }

    [Fact]
    public void A_gzip_stream_cut_short_is_truncated()
    {
        var gz = IdxBytes.Gzip(IdxBytes.Build([1000], IdxBytes.Sequence(1000)));
        var path = Write("cut.gz", gz[..(gz.Length / 2)]);

        var e = Assert.Throws<DatasetException>(() => IdxFile.Read(path, dimensions: 1));

        Assert.Contains($"{path}: truncated", e.Message);
    }

    [Fact]
    public void A_corrupt_gzip_stream_is_an_error_naming_the_file()
    {
        var path = Write("corrupt.gz", [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef]);

        var e = Assert.Throws<DatasetException>(() => IdxFile.Read(path, dimensions: 1));

        Assert.Contains(path, e.Message);
        Assert.Contains("gzip", e.Message);
    }

    [Fact]
    public void An_empty_file_is_an_error()
    {
        var path = Write("empty", []);

        var e = Assert.Throws<DatasetException>(() => IdxFile.Read(path, dimensions: 1));

        Assert.Contains(path, e.Message);
        Assert.Contains("is empty", e.Message);
    }

    [Fact]
    public void A_file_of_zero_items_is_an_error()
    {
        var path = Write("none", IdxBytes.Build([0, 28, 28], []));

        var e = Assert.Throws<DatasetException>(() => IdxFile.Read(path, dimensions: 3));

        Assert.Contains("is empty (dimension 0 has size 0)", e.Message);
    }

    [Fact]
    public void A_wrong_magic_number_is_an_error()
    {
        // A PNG's first bytes: not an IDX file at all.
        var path = Write("picture.png", [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

        var e = Assert.Throws<DatasetException>(() => IdxFile.Read(path, dimensions: 1));

        Assert.Contains(path, e.Message);
        Assert.Contains("wrong magic number 0x89504e47", e.Message);
    }

    [Fact]
    public void A_data_type_other_than_unsigned_byte_is_an_error()
    {
        var path = Write("floats", IdxBytes.Build([1], [0, 0, 128, 63], type: 0x0D));

        var e = Assert.Throws<DatasetException>(() => IdxFile.Read(path, dimensions: 1));

        Assert.Contains("data type 0x0d (float32) is not supported", e.Message);
    }

    [Fact]
    public void A_wrong_dimension_count_is_an_error()
    {
        // A label file where images are expected.
        var path = Write("labels", IdxBytes.Build([3], [1, 2, 3]));

        var e = Assert.Throws<DatasetException>(() => IdxFile.Read(path, dimensions: 3));

        Assert.Contains(path, e.Message);
        Assert.Contains("has 1 dimensions; expected 3", e.Message);
    }

    [Fact]
    public void Bytes_after_the_declared_values_are_an_error()
    {
        var path = Write("long", [.. IdxBytes.Build([3], [1, 2, 3]), 4]);

        var e = Assert.Throws<DatasetException>(() => IdxFile.Read(path, dimensions: 1));

        Assert.Contains("has bytes after the 3 values its header declares", e.Message);
    }

    [Fact]
    public void A_missing_file_is_an_error_naming_it()
    {
        var path = _dir.File("absent");

        var e = Assert.Throws<DatasetException>(() => IdxFile.Read(path, dimensions: 1));

        Assert.Contains(path, e.Message);
        Assert.Contains("cannot be opened", e.Message);
    }

    private string Write(string name, byte[] bytes)
    {
        var path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
