using System.Buffers.Binary;
using System.Text;
using ParameterServer.Contracts;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.DataPlane;

/// <summary>A push's commit and its answer on a lane, against bytes laid out by hand from the documented layout.</summary>
public sealed class PushCommitCodecTests
{
    private static readonly Guid _token = new("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");

    [Fact]
    public void A_commit_is_clock_rows_push_id_and_worker_id_and_reads_back_with_the_frame_token_and_encoding()
    {
        var id = new PushId(new Guid("11223344-5566-7788-99aa-bbccddeeff00"), 70_000_000_001);
        var commit = new PushCommit { Id = id, WorkerId = "worker-7", Clock = 1234567890123, RowOffset = 16, RowCount = 240 };
        var written = new byte[PushCommitCodec.MaxCommitLength];

        var length = PushCommitCodec.WriteCommit(commit, written);

        var expected = new byte[40 + 8];
        BinaryPrimitives.WriteInt64LittleEndian(expected, 1234567890123);
        BinaryPrimitives.WriteInt32LittleEndian(expected.AsSpan(8), 16);
        BinaryPrimitives.WriteInt32LittleEndian(expected.AsSpan(12), 240);
        // The writer in RFC 4122 order: its hex digits as written, byte by byte.
        byte[] writer = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00];
        writer.CopyTo(expected.AsSpan(16));
        BinaryPrimitives.WriteInt64LittleEndian(expected.AsSpan(32), 70_000_000_001);
        "worker-7"u8.CopyTo(expected.AsSpan(40));
        Assert.Equal(expected, written[..length]);
        Assert.Equal(commit with { Token = _token, Encoding = TensorEncoding.Bf16 },
            PushCommitCodec.ReadCommit(expected, _token, TensorEncoding.Bf16));
    }

    [Fact]
    public void A_commit_shorter_than_its_fixed_fields_or_with_a_worker_id_that_is_not_utf8_is_refused()
    {
        byte[] invalidId = [.. new byte[40], 0x77, 0xff];

        var shortError = Assert.Throws<ParameterServerException>(() => PushCommitCodec.ReadCommit(new byte[39], _token, TensorEncoding.Fp32));
        var idError = Assert.Throws<ParameterServerException>(() => PushCommitCodec.ReadCommit(invalidId, _token, TensorEncoding.Fp32));

        Assert.Equal((ErrorCode.InvalidArgument, ErrorCode.InvalidArgument), (shortError.Code, idError.Code));
        Assert.Contains("a commit of 39 bytes", shortError.Message);
        Assert.Contains("not UTF-8", idError.Message);
    }

    [Fact]
    public void A_reply_is_a_zero_then_version_applied_activation_and_restored_version()
    {
        var reply = new PushReply { Version = 42, Applied = true, Activation = 638_000_000_000_000_000, RestoredVersion = 40 };
        var written = new byte[64];

        var length = PushCommitCodec.WriteReply(reply, written);

        var expected = new byte[26];
        BinaryPrimitives.WriteInt64LittleEndian(expected.AsSpan(1), 42);
        expected[9] = 1;
        BinaryPrimitives.WriteInt64LittleEndian(expected.AsSpan(10), 638_000_000_000_000_000);
        BinaryPrimitives.WriteInt64LittleEndian(expected.AsSpan(18), 40);
        Assert.Equal(expected, written[..length]);
        Assert.Equal(reply, PushCommitCodec.ReadAnswer(expected));
    }

    [Fact]
    public void A_refusal_is_a_one_then_the_error_code_and_message_and_reads_back_as_the_exception_it_was()
    {
        var written = new byte[64];

        var length = PushCommitCodec.WriteRefusal(ErrorCode.NonFinite, "holds NaN", written);

        byte[] expected = [1, 9, 0, 0, 0, .. "holds NaN"u8];
        Assert.Equal(expected, written[..length]);
        var error = Assert.Throws<ParameterServerException>(() => PushCommitCodec.ReadAnswer(expected));
        Assert.Equal((ErrorCode.NonFinite, "holds NaN"), (error.Code, error.Message));
    }

    [Fact]
    public void A_refusal_message_too_long_for_the_answer_is_cut_to_fit()
    {
        var written = new byte[5 + 30];

        var length = PushCommitCodec.WriteRefusal(ErrorCode.WrongLength, new string('é', 100), written);

        // 30 bytes hold 10 characters of up to 3 UTF-8 bytes; 'é' takes 2.
        Assert.Equal(5 + 20, length);
        Assert.Equal(new string('é', 10), Encoding.UTF8.GetString(written, 5, 20));
    }

    [Fact]
    public void An_answer_that_is_neither_a_reply_nor_a_refusal_is_an_error()
    {
        var error = Assert.Throws<ParameterServerException>(() => PushCommitCodec.ReadAnswer([0, 1, 2]));

        Assert.Contains("neither a reply nor a refusal", error.Message);
    }
}
