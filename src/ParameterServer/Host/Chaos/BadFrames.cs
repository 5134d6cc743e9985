using System.Buffers.Binary;
using ParameterServer.Contracts;
using ParameterServer.DataPlane;
using ErrorCode = ParameterServer.Contracts.ErrorCode;
using static ParameterServer.Host.Chaos.ChaosTargets;

namespace ParameterServer.Host.Chaos;

/// <summary>
/// The hostile requests on the silos' data ports: random bytes, headers that lie (magic, version, checksum, lengths
/// negative or past the maximum, kinds and shard keys that are none), frames cut short or stalled half-way, and
/// commits of what lanes staged under forged, reused or mismatched tokens, encodings and payloads. Every push a kind
/// stages is used up by a refused commit before the kind returns, so staging holds nothing once the run is over.
/// </summary>
internal static class BadFrames
{
    /// <summary>The most a cut or stalled push declares: the staging buffer it holds until the silo gives it up.</summary>
    private const int MaxCutPayload = 1 << 20;

    private static readonly byte[] Filler = new byte[MaxCutPayload];

    public static readonly BadRequest[] All =
    [
        OnLane("lane: random bytes", LaneError.BadMagic, 2, (t, r) =>
        {
            var bytes = new byte[FrameHeader.PrefixLength + r.Next(4096)];
            do r.NextBytes(bytes);
            while (BinaryPrimitives.ReadUInt32LittleEndian(bytes) == FrameHeader.Magic);
            return ExchangeAsync(t, AnyShard(r, AsyncModel).Setup, bytes);
        }),
        OnLane("lane: a header of another protocol version", LaneError.BadVersion, 1, (t, r) =>
        {
            var (setup, header, payload) = PushFrame(r);
            int version;
            do version = r.Next(256);
            while (version == FrameHeader.ProtocolVersion);
            header[4] = (byte)version;
            return ExchangeAsync(t, setup, header, payload);
        }),
        OnLane("lane: a header whose checksum does not match", LaneError.BadChecksum, 2, (t, r) =>
        {
            var (setup, header, payload) = PushFrame(r);
            // Any bit but those of the magic, the version and the key length, which are checked before the checksum.
            const int checkedFirst = 5;
            var at = r.Next(header.Length - checkedFirst - 2) + checkedFirst;
            if (at >= 36) at += 2;
            header[at] ^= (byte)(1 << r.Next(8));
            return ExchangeAsync(t, setup, header, payload);
        }),
        OnLane("lane: a payload length past the maximum, up to int.MaxValue", LaneError.TooLarge, 2, (t, r) =>
        {
            var (setup, _) = AnyShard(r, AsyncModel);
            var length = Limits.MaxShardBytes + 1 + r.Next(int.MaxValue - Limits.MaxShardBytes);
            return ExchangeAsync(t, setup, ChaosLane.Header(FrameKind.PushData, Token(r), Key(setup), length));
        }),
        OnLane("lane: a negative payload length", LaneError.BadLength, 1, (t, r) =>
        {
            var (setup, _) = AnyShard(r, AsyncModel);
            var kind = r.Next(2) == 0 ? FrameKind.PushData : FrameKind.PullRequest;
            return ExchangeAsync(t, setup, ChaosLane.Header(kind, Token(r), Key(setup), -1 - r.Next(int.MaxValue)));
        }),
        OnLane("lane: a shard key length past the maximum", LaneError.BadLength, 1, (t, r) =>
        {
            var (setup, header, payload) = PushFrame(r);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(36), (ushort)r.Next(FrameHeader.MaxShardKeyBytes + 1, ushort.MaxValue + 1));
            return ExchangeAsync(t, setup, header, payload);
        }),
        OnLane("lane: a frame cut short (the client closes half-way)", LaneError.Truncated, 2, async (t, r) =>
        {
            var (setup, frame) = CutFrame(r);
            using var lane = await t.ConnectAsync(setup);
            await lane.SendAsync(frame);
            lane.ShutdownSend();
            await lane.ReadAnswerAsync();
        }),
        // The silo closes the lane at its frame timeout and gives the push's buffer back; the client sees the close.
        OnLane("lane: a frame that stalls half-way (the client goes silent)", LaneError.Disconnected, 1, async (t, r) =>
        {
            var (setup, frame) = CutFrame(r);
            using var lane = await t.ConnectAsync(setup);
            await lane.SendAsync(frame);
            await lane.ReadAnswerAsync();
        }),
        OnLane("lane: a frame kind that is neither a push, a commit nor a pull request", LaneError.BadKind, 2, (t, r) =>
        {
            var (setup, _) = AnyShard(r, AsyncModel);
            int kind;
            do kind = r.Next(256);
            while (kind is (int)FrameKind.PushData or (int)FrameKind.Commit or (int)FrameKind.PullRequest);
            var payload = Filler.AsMemory(0, r.Next(256));
            return ExchangeAsync(t, setup, ChaosLane.Header((FrameKind)kind, Token(r), Key(setup), payload.Length), payload);
        }),
        OnLane("lane: a shard key that is empty or not UTF-8", LaneError.BadShardKey, 2, (t, r) =>
        {
            byte[][] keys = [[], [0xFF], [0xC3, 0x28], [0x61, 0x2F, 0x80], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]];
            var key = keys[r.Next(keys.Length)];
            var (setup, _) = AnyShard(r, AsyncModel);
            var push = r.Next(2) == 0;
            var payload = Filler.AsMemory(0, push ? 1 + r.Next(64) : 0);
            var header = ChaosLane.Header(push ? FrameKind.PushData : FrameKind.PullRequest, Token(r), new string('k', key.Length), payload.Length);
            key.CopyTo(header, FrameHeader.PrefixLength);
            ChaosLane.Seal(header);
            return ExchangeAsync(t, setup, header, payload);
        }),
        OnLane("lane: a pull of a shard the silo does not host", LaneError.UnknownShard, 2, (t, r) =>
        {
            var (setup, _) = AnyShard(r, AsyncModel);
            string[] keys = ["chaos-async/sgd/99", "chaos-async/nosuchtable/0", $"{t.GhostModel(r)}/sgd/0", "garbage", "chaos-async/sgd/-1"];
            return ExchangeAsync(t, setup, ChaosLane.Header(FrameKind.PullRequest, Token(r), keys[r.Next(keys.Length)], 0, version: -1));
        }),
        OnLane("lane: a pull request that carries a payload", LaneError.Refused, 1, (t, r) =>
        {
            var (setup, _) = AnyShard(r, AsyncModel);
            var payload = Filler.AsMemory(0, 1 + r.Next(4096));
            return ExchangeAsync(t, setup, ChaosLane.Header(FrameKind.PullRequest, Token(r), Key(setup), payload.Length, version: -1), payload);
        }),
        OnLane("lane: a pull in an unknown encoding", LaneError.Refused, 1, (t, r) =>
        {
            var (setup, _) = AnyShard(r, AsyncModel);
            var encoding = (byte)r.Next(3, 256);
            return ExchangeAsync(t, setup, ChaosLane.Header(FrameKind.PullRequest, Token(r), Key(setup), 0, version: -1, encoding: encoding));
        }),
        OnLane("lane: a push staged twice under one token", LaneError.DuplicateToken, 1, async (t, r) =>
        {
            var (setup, _) = AnyShard(r, AsyncModel);
            var token = await StageAsync(t, r, setup, Garbage(r));
            try
            {
                var again = Garbage(r);
                await ExchangeAsync(t, setup, ChaosLane.Header(FrameKind.PushData, token, Key(setup), again.Length), again);
            }
            finally
            {
                await UseUpAsync(t, setup, token);
            }
        }),
        new("commit: a token no lane staged (forged)", ErrorCode.UnknownToken, 2, (t, r) =>
        {
            var (setup, rows) = AnyShard(r, r.Next(2) == 0 ? AsyncModel : BspModel);
            var (offset, count) = AnyRows(r, rows);
            return t.Grain(setup).CommitPush(new PushCommit { Token = r.Next(8) == 0 ? Guid.Empty : Token(r), RowOffset = offset, RowCount = count });
        }),
        new("commit: without a request", ErrorCode.InvalidArgument, 1, (t, r) => t.Grain(AnyShard(r, AsyncModel).Setup).CommitPush(null!)),
        OnLane("commit: a token staged for another shard", ErrorCode.InvalidArgument, 1, async (t, r) =>
        {
            var (setup, _) = AnyShard(r, AsyncModel);
            var other = await OtherShardOnSameSiloAsync(t, r, setup);
            var token = await StageAsync(t, r, setup, Garbage(r));
            try
            {
                await t.Grain(other).CommitPush(new PushCommit { Token = token, RowCount = 1 });
            }
            finally
            {
                await UseUpAsync(t, setup, token);
            }
        }),
        OnLane("commit: in another encoding than the lane staged", ErrorCode.InvalidArgument, 1, async (t, r) =>
        {
            var (setup, rows) = AnyShard(r, AsyncModel);
            var staged = AnyEncoding(r);
            var committed = (TensorEncoding)(((int)staged + 1 + r.Next(2)) % 3);
            var token = await StageAsync(t, r, setup, FinitePayload(r, rows * setup.Table.Cols, committed), (byte)staged);
            await t.Grain(setup).CommitPush(new PushCommit { Token = token, RowCount = rows, Encoding = committed });
        }),
        OnLane("commit: staged bytes of a wrong length", ErrorCode.WrongLength, 2, async (t, r) =>
        {
            var (setup, rows) = AnyShard(r, AsyncModel);
            var (offset, count) = AnyRows(r, rows);
            var encoding = AnyEncoding(r);
            var expected = (int)PayloadCodec.ByteLength(encoding, count * setup.Table.Cols);
            var length = r.Next(2 * expected + 8);
            var payload = new byte[length == expected ? length + 1 : length];
            r.NextBytes(payload);
            var token = await StageAsync(t, r, setup, payload, (byte)encoding);
            await t.Grain(setup).CommitPush(new PushCommit { Token = token, RowOffset = offset, RowCount = count, Encoding = encoding });
        }),
        OnLane("commit: staged NaN or Inf (fp32, bf16, fp16; async and BSP)", ErrorCode.NonFinite, 3, async (t, r) =>
        {
            var bsp = r.Next(2) == 0;
            var (setup, rows) = AnyShard(r, bsp ? BspModel : AsyncModel);
            var (offset, count) = AnyRows(r, rows);
            var encoding = AnyEncoding(r);
            var token = await StageAsync(t, r, setup, NonFinitePayload(r, count * setup.Table.Cols, encoding), (byte)encoding);
            await t.Grain(setup).CommitPush(new PushCommit
            {
                WorkerId = "chaos", Clock = bsp ? r.Next(100) : -1, Token = token, RowOffset = offset, RowCount = count, Encoding = encoding,
            });
        }),
        OnLane("commit: rows out of range of what the lane staged", ErrorCode.RowsOutOfRange, 1, async (t, r) =>
        {
            var (setup, rows) = AnyShard(r, AsyncModel);
            var (offset, count) = RowsOutside(r, rows);
            var token = await StageAsync(t, r, setup, FinitePayload(r, rows * setup.Table.Cols, TensorEncoding.Fp32));
            await t.Grain(setup).CommitPush(new PushCommit { Token = token, RowOffset = offset, RowCount = count });
        }),
        OnLane("commit: in an unknown encoding the lane staged as such", ErrorCode.UnknownEncoding, 1, async (t, r) =>
        {
            var (setup, rows) = AnyShard(r, AsyncModel);
            var encoding = (byte)r.Next(3, 256);
            // The commit's encoding as an int names the same byte, or that byte plus a multiple of 256.
            var committed = (TensorEncoding)(encoding + 256 * r.Next(3));
            var token = await StageAsync(t, r, setup, FinitePayload(r, rows * setup.Table.Cols, TensorEncoding.Fp32), encoding);
            await t.Grain(setup).CommitPush(new PushCommit { Token = token, RowCount = rows, Encoding = committed });
        }),
        OnLane("commit: a token that a refused commit used up (committed twice)", ErrorCode.UnknownToken, 1, async (t, r) =>
        {
            var (setup, _) = AnyShard(r, AsyncModel);
            var token = await StageAsync(t, r, setup, Garbage(r));
            await UseUpAsync(t, setup, token);
            await t.Grain(setup).CommitPush(new PushCommit { Token = token, RowCount = 1 });
        }),
    ];

    private static BadRequest OnLane(string kind, Refusal expected, int weight, Func<ChaosTargets, Random, Task> send) =>
        new(kind, expected, weight, send, OnDataPort: true);

    /// <summary>Sends one frame to the data port of <paramref name="setup"/>'s silo and reads the answer.</summary>
    private static async Task ExchangeAsync(ChaosTargets t, ShardSetup setup, params ReadOnlyMemory<byte>[] frame)
    {
        using var lane = await t.ConnectAsync(setup);
        await lane.SendAsync(frame);
        await lane.ReadAnswerAsync();
    }

    /// <summary>A well-formed push of a few garbage bytes to a shard, to be spoiled.</summary>
    private static (ShardSetup Setup, byte[] Header, byte[] Payload) PushFrame(Random r)
    {
        var (setup, _) = AnyShard(r, AsyncModel);
        var payload = Garbage(r);
        return (setup, ChaosLane.Header(FrameKind.PushData, Token(r), Key(setup), payload.Length), payload);
    }

    /// <summary>A push of up to <see cref="MaxCutPayload"/> bytes, of which only the first 1 to all-but-one bytes are sent.</summary>
    private static (ShardSetup Setup, ReadOnlyMemory<byte>[] Sent) CutFrame(Random r)
    {
        var (setup, _) = AnyShard(r, AsyncModel);
        var length = 1 + r.Next(MaxCutPayload);
        var header = ChaosLane.Header(FrameKind.PushData, Token(r), Key(setup), length);
        var sent = 1 + r.Next(header.Length + length - 1);
        return sent <= header.Length
            ? (setup, [header.AsMemory(0, sent)])
            : (setup, [header, Filler.AsMemory(0, sent - header.Length)]);
    }

    private static byte[] Garbage(Random r)
    {
        var bytes = new byte[1 + r.Next(256)];
        r.NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// Stages <paramref name="payload"/> on the data port of the shard's silo under a fresh token, declared in
    /// <paramref name="encoding"/> (a TensorEncoding, or a byte that names none); returns the token once acknowledged.
    /// </summary>
    public static async Task<Guid> StageAsync(ChaosTargets t, Random r, ShardSetup setup, byte[] payload, byte encoding = 0)
    {
        var token = Token(r);
        using var lane = await t.ConnectAsync(setup);
        await lane.SendAsync(ChaosLane.Header(FrameKind.PushData, token, Key(setup), payload.Length, encoding: encoding), payload);
        var answer = await lane.ReadAnswerAsync();
        return answer.Kind == FrameKind.Ack && answer.Token == token
            ? token
            : throw new InvalidOperationException($"the data port answered a push with {answer.Kind} for token {answer.Token}, not an ack for {token}");
    }

    /// <summary>Uses up a staged push with a commit of no rows, which the shard refuses, freeing the push's buffer.</summary>
    public static async Task UseUpAsync(ChaosTargets t, ShardSetup setup, Guid token)
    {
        try
        {
            await t.Grain(setup).CommitPush(new PushCommit { Token = token, RowCount = 0 });
        }
        catch (ParameterServerException e) when (e.Code == ErrorCode.RowsOutOfRange)
        {
            return;
        }
        throw new InvalidOperationException($"a commit of no rows under token {token} was accepted");
    }

    /// <summary>A shard other than <paramref name="setup"/>'s on the same silo, whose staging the token is in.</summary>
    private static async Task<ShardSetup> OtherShardOnSameSiloAsync(ChaosTargets t, Random r, ShardSetup setup)
    {
        var port = await t.DataPortAsync(setup);
        foreach (var other in AllShards().OrderBy(_ => r.Next()))
        {
            if (other != setup && (await t.DataPortAsync(other)).Equals(port))
                return other;
        }
        throw new InvalidOperationException($"no other chaos shard is on the silo of {Key(setup)}");
    }
}
