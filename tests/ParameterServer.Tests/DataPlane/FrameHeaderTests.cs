using ParameterServer.DataPlane;
using Xunit;

namespace ParameterServer.Tests.DataPlane;

public class FrameHeaderTests
{
    private static readonly Guid _token = new("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");

    [Fact]
    public void WriteTo_lays_out_the_documented_bytes()
    {
        var header = new FrameHeader(FrameKind.PullData, _token, "model/table/3", 4_194_304, Version: 1234567890123, Encoding: 2, Error: LaneError.None);
        var written = new byte[FrameHeader.MaxLength];

        var length = header.WriteTo(written);

        var expected = RawLane.Header(RawLane.PullData, _token, "model/table/3", 4_194_304, version: 1234567890123, encoding: 2);
        Assert.Equal(38 + 13 + 4, length);
        Assert.Equal(expected, written[..length]);
    }

    [Fact]
    public void Parse_reads_every_field_of_a_hand_built_header()
    {
        var bytes = RawLane.Header(RawLane.PushData, _token, "m/t/0", 1000, version: -1, encoding: 1);

        var header = FrameHeader.Parse(bytes, maxPayloadBytes: 1 << 20);

        Assert.Equal(new FrameHeader(FrameKind.PushData, _token, "m/t/0", 1000, Version: -1, Encoding: 1), header);
    }

    [Fact]
    public void Error_frames_carry_their_code_in_byte_7()
    {
        var written = new byte[FrameHeader.MaxLength];
        var length = new FrameHeader(FrameKind.Error, _token, "", 12, Error: LaneError.Busy).WriteTo(written);

        Assert.Equal((byte)LaneError.Busy, written[7]);
        Assert.Equal(LaneError.Busy, FrameHeader.Parse(written.AsSpan(0, length), 100).Error);
    }

    [Fact]
    public void Every_single_bit_flip_in_a_header_is_refused()
    {
        var bytes = RawLane.Header(RawLane.PushData, _token, "m/t/0", 1000);
        for (var bit = 0; bit < bytes.Length * 8; bit++)
        {
            var corrupt = (byte[])bytes.Clone();
            corrupt[bit / 8] ^= (byte)(1 << (bit % 8));

            var error = Assert.Throws<LaneException>(() => ReadLikeALane(corrupt));
            Assert.Contains(error.Code, new[] { LaneError.BadMagic, LaneError.BadVersion, LaneError.BadLength, LaneError.BadChecksum });
        }
    }

    [Fact]
    public void A_shard_key_that_is_not_utf8_parses_as_null_so_the_frame_can_be_refused_alone()
    {
        var bytes = RawLane.Header(RawLane.PushData, _token, [0x6d, 0xff, 0xfe], 10);

        Assert.Null(FrameHeader.Parse(bytes, 100).ShardKey);
    }

    [Theory]
    [InlineData(-1, LaneError.BadLength)]
    [InlineData(101, LaneError.TooLarge)]
    public void Payload_lengths_outside_zero_to_the_maximum_are_refused(int length, LaneError expected)
    {
        var bytes = RawLane.Header(RawLane.PushData, _token, "m/t/0", length);

        Assert.Equal(expected, Assert.Throws<LaneException>(() => FrameHeader.Parse(bytes, maxPayloadBytes: 100)).Code);
    }

    [Fact]
    public void A_shard_key_over_the_bound_is_refused_on_write_and_on_read()
    {
        var key = new string('k', FrameHeader.MaxShardKeyBytes + 1);

        Assert.Throws<ArgumentException>(() => new FrameHeader(FrameKind.PushData, _token, key, 0).WriteTo(new byte[FrameHeader.MaxLength + 1]));
        var bytes = RawLane.Header(RawLane.PushData, _token, key, 0);
        Assert.Equal(LaneError.BadLength, Assert.Throws<LaneException>(() => FrameHeader.ReadShardKeyLength(bytes)).Code);
    }

    /// <summary>Reads a header from a stream as a lane does: the key length says how many bytes follow the prefix
    /// (a corrupt one reads into what comes after, here zeros).</summary>
    private static FrameHeader ReadLikeALane(byte[] stream)
    {
        var keyLength = FrameHeader.ReadShardKeyLength(stream);
        var header = new byte[FrameHeader.PrefixLength + keyLength + FrameHeader.ChecksumLength];
        stream.AsSpan(0, Math.Min(stream.Length, header.Length)).CopyTo(header);
        return FrameHeader.Parse(header, 1 << 20);
    }
}
