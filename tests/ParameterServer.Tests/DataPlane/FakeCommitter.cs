using System.Buffers.Binary;
using ParameterServer.DataPlane;

namespace ParameterServer.Tests.DataPlane;

/// <summary>
/// Commits as a shard does, without one: takes the staged push from the server's staging area, gives its buffer back,
/// and answers the payload's length (int32) followed by the commit's own bytes, so a test sees both arrived.
/// </summary>
internal sealed class FakeCommitter : IPushCommitter
{
    private int _commits;

    /// <summary>The staging area of the server this committer serves; set once the server exists.</summary>
    public StagingArea? Staging { get; set; }

    /// <summary>When set, every commit fails with this exception, after taking its push (the outcome is lost).</summary>
    public Exception? Failure { get; set; }

    public int Commits => Volatile.Read(ref _commits);

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
