using System.Buffers.Binary;
using System.Text;

namespace ParameterServer.Contracts;

/// <summary>
/// A push's commit and the shard's answer as they travel on a lane (the data plane's commit and committed frames, which
/// carry the token and the encoding in their headers), little-endian:
/// <code>
/// commit:  clock i64 | row offset i32 | row count i32 | push id: writer (16 bytes, RFC 4122 order), sequence i64
///          | worker id, UTF-8 (the rest)
/// answer:  0 | version i64 | applied u8 | activation i64 | restored version i64      (a PushReply)
///          1 | error code i32 | message, UTF-8 (the rest)                         (a refusal)
/// </code>
/// The commit carries the push's <see cref="PushId"/>, so that a commit made on a lane is de-duplicated as a grain
/// call's is.
/// Example: <c>var length = PushCommitCodec.WriteCommit(commit, buffer);</c>
/// </summary>
public static class PushCommitCodec
{
    private const int CommitFixedLength = 40;
    private const byte Replied = 0, Refused = 1;
    private const int ReplyLength = 26;
    private const int RefusalPrefixLength = 5;

    /// <summary>The longest commit: its fixed fields and a worker id of <see cref="Names.MaxLength"/> ASCII characters.</summary>
    public const int MaxCommitLength = CommitFixedLength + Names.MaxLength;

    // A worker id that is not UTF-8 is refused, not turned into another worker's id.
    private static readonly UTF8Encoding _utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes everything of <paramref name="commit"/> but its token and encoding; returns the length written.</summary>
    public static int WriteCommit(PushCommit commit, Span<byte> destination)
    {
        var idLength = _utf8.GetByteCount(commit.WorkerId);
        if (idLength > Names.MaxLength)
            throw new ParameterServerException(ErrorCode.InvalidArgument, $"worker id of {idLength} UTF-8 bytes, at most {Names.MaxLength}");
        BinaryPrimitives.WriteInt64LittleEndian(destination, commit.Clock);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], commit.RowOffset);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], commit.RowCount);
        commit.Id.Writer.TryWriteBytes(destination[16..], bigEndian: true, out _);
        BinaryPrimitives.WriteInt64LittleEndian(destination[32..], commit.Id.Sequence);
        return CommitFixedLength + _utf8.GetBytes(commit.WorkerId, destination[CommitFixedLength..]);
    }

    /// <summary>The commit of the push staged under <paramref name="token"/>; a malformed one is <see cref="ErrorCode.InvalidArgument"/>.</summary>
    public static PushCommit ReadCommit(ReadOnlySpan<byte> source, Guid token, TensorEncoding encoding)
    {
        if (source.Length is < CommitFixedLength or > MaxCommitLength)
            throw new ParameterServerException(ErrorCode.InvalidArgument, $"a commit of {source.Length} bytes, expected {CommitFixedLength} to {MaxCommitLength}");
        string workerId;
        try
        {
            workerId = _utf8.GetString(source[CommitFixedLength..]);
        }
        catch (DecoderFallbackException)
        {
            throw new ParameterServerException(ErrorCode.InvalidArgument, "the worker id of a commit is not UTF-8");
        }
        return new PushCommit
        {
            WorkerId = workerId,
            Clock = BinaryPrimitives.ReadInt64LittleEndian(source),
            RowOffset = BinaryPrimitives.ReadInt32LittleEndian(source[8..]),
            RowCount = BinaryPrimitives.ReadInt32LittleEndian(source[12..]),
            Id = new PushId(new Guid(source[16..32], bigEndian: true), BinaryPrimitives.ReadInt64LittleEndian(source[32..])),
            Encoding = encoding,
            Token = token,
        };
    }

    public static int WriteReply(PushReply reply, Span<byte> destination)
    {
        destination[0] = Replied;
        BinaryPrimitives.WriteInt64LittleEndian(destination[1..], reply.Version);
        destination[9] = reply.Applied ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64LittleEndian(destination[10..], reply.Activation);
        BinaryPrimitives.WriteInt64LittleEndian(destination[18..], reply.RestoredVersion);
        return ReplyLength;
    }

    /// <summary>Writes a refusal; a message that does not fit <paramref name="destination"/> is cut.</summary>
    public static int WriteRefusal(ErrorCode code, string message, Span<byte> destination)
    {
        destination[0] = Refused;
        BinaryPrimitives.WriteInt32LittleEndian(destination[1..], (int)code);
        // UTF-8 takes at most 3 bytes per UTF-16 character.
        var fits = (destination.Length - RefusalPrefixLength) / 3;
        return RefusalPrefixLength + _utf8.GetBytes(message.Length > fits ? message[..fits] : message, destination[RefusalPrefixLength..]);
    }

    /// <summary>The shard's reply, or its refusal thrown as the <see cref="ParameterServerException"/> it was.</summary>
    public static PushReply ReadAnswer(ReadOnlySpan<byte> answer)
    {
        if (answer.Length == ReplyLength && answer[0] == Replied)
        {
            return new PushReply
            {
                Version = BinaryPrimitives.ReadInt64LittleEndian(answer[1..]),
                Applied = answer[9] != 0,
                Activation = BinaryPrimitives.ReadInt64LittleEndian(answer[10..]),
                RestoredVersion = BinaryPrimitives.ReadInt64LittleEndian(answer[18..]),
            };
        }
        if (answer.Length >= RefusalPrefixLength && answer[0] == Refused)
            throw new ParameterServerException((ErrorCode)BinaryPrimitives.ReadInt32LittleEndian(answer[1..]), Encoding.UTF8.GetString(answer[RefusalPrefixLength..]));
        throw new ParameterServerException(ErrorCode.Unknown, $"a commit's answer of {answer.Length} bytes is neither a reply nor a refusal");
    }
}
