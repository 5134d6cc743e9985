using System.Buffers.Binary;
using ParameterServer.Contracts;
using ParameterServer.Grains.Storage;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Storage;

/// <summary>Every kind of damage to a checkpoint is refused with <see cref="ErrorCode.CorruptCheckpoint"/> and says what it found.</summary>
public class CheckpointCorruptionTests
{
    private readonly CheckpointSerializer _serializer = new();
    private readonly byte[] _good;

    public CheckpointCorruptionTests() =>
        _good = _serializer.Serialize(TestShardState.Create(seed: 21, length: 1000, version: 5)).ToArray();

    [Theory]
    [InlineData(24)]     // first payload byte
    [InlineData(2000)]   // inside the float blob
    [InlineData(-1)]     // last payload byte
    public void A_flipped_payload_byte_fails_the_checksum(int offset)
    {
        var bytes = (byte[])_good.Clone();
        bytes[offset >= 0 ? offset : bytes.Length + offset] ^= 0x10;

        AssertCorrupt(bytes, "checksum mismatch");
    }

    [Fact]
    public void A_flipped_checksum_byte_fails_the_checksum()
    {
        var bytes = (byte[])_good.Clone();
        bytes[16] ^= 0x01;

        AssertCorrupt(bytes, "checksum mismatch");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(24)]
    public void A_checkpoint_cut_inside_or_at_the_end_of_its_header_is_truncated(int length) =>
        AssertCorrupt(_good[..length], "truncated");

    [Fact]
    public void A_checkpoint_missing_its_last_byte_is_truncated() =>
        AssertCorrupt(_good[..^1], $"truncated: the header announces {_good.Length - 24} payload bytes, {_good.Length - 25} are present");

    [Fact]
    public void Bytes_after_the_payload_are_refused() =>
        AssertCorrupt([.. _good, 0], "1 bytes follow");

    [Fact]
    public void A_wrong_magic_is_not_a_checkpoint()
    {
        var bytes = (byte[])_good.Clone();
        "JSON"u8.CopyTo(bytes);

        AssertCorrupt(bytes, "bad magic");
    }

    [Fact]
    public void An_unknown_format_version_is_refused()
    {
        var bytes = (byte[])_good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 2);

        AssertCorrupt(bytes, "format version 2, this build reads version 1");
    }

    [Fact]
    public void A_payload_that_passes_the_checksum_but_is_not_the_state_is_refused()
    {
        // 0xc1 is the one byte msgpack never uses; sealed with a valid header and checksum.
        var bytes = new byte[CheckpointEnvelope.HeaderSize + 1];
        bytes[^1] = 0xc1;
        CheckpointEnvelope.Seal(bytes);

        AssertCorrupt(bytes, "does not decode as TestShardState");
    }

    private void AssertCorrupt(byte[] bytes, string expected)
    {
        var e = Assert.Throws<ParameterServerException>(() => _serializer.Deserialize<TestShardState>(new BinaryData(bytes)));
        Assert.Equal(ErrorCode.CorruptCheckpoint, e.Code);
        Assert.Contains(expected, e.Message);
    }
}
