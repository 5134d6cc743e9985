using System.Buffers.Binary;
using ParameterServer.DataPlane;

namespace ParameterServer.Tests.DataPlane;

/// <summary>
/// Commits as a shard does, without one: takes the staged push from the server's staging area, gives its buffer back,
/// and answers the payload's length (int32) followed by the commit's own bytes, so a test sees both arrived. Its screen
/// passes whole 2-byte values unless one holds a 0xFF byte, and keeps every byte it passed.
/// </summary>
internal sealed class FakeCommitter : IPushCommitter
{
    private readonly List<byte> _screened = [];
    private int _commits;
    private int _pieces;

    /// <summary>The staging area of the server this committer serves; set once the server exists.</summary>
    public StagingArea? Staging { get; set; }

    /// <summary>When set, every commit fails with this exception, after taking its push (the outcome is lost).</summary>
    public Exception? Failure { get; set; }

    public int Commits => Volatile.Read(ref _commits);

    /// <summary>Pieces handed to the screen.</summary>
    public int Pieces => Volatile.Read(ref _pieces);

    /// <summary>The bytes the screen passed, in the order it passed them.</summary>
    public byte[] Screened
    {
        get
        {
            lock (_screened)
                return [.. _screened];
        }
    }

    public int Screen(byte encoding, ReadOnlySpan<byte> bytes)
    {
        Interlocked.Increment(ref _pieces);
        var whole = bytes[..(bytes.Length & ~1)];
        if (whole.Contains((byte)0xFF))
            return -1;
        lock (_screened)
            _screened.AddRange(whole);
        return whole.Length;
    }

    public ValueTask<int> CommitAsync(Guid token, string shardKey, byte encoding, ReadOnlyMemory<byte> commit, Memory<byte> answer, CancellationToken ct)
    {
        if (Staging!.TryTake(token, shardKey, out var push) != TakeResult.Taken)
            throw new InvalidOperationException($"the lane server passed on a commit for token {token}, which is not staged");
        using (push)
        {
            Interlocked.Increment(ref _commits);
            if (Failure is not null)
                throw Failure;
            BinaryPrimitives.WriteInt32LittleEndian(answer.Span, push!.Length);
            commit.Span.CopyTo(answer.Span[4..]);
            return ValueTask.FromResult(4 + commit.Length);
        }
    }
}
