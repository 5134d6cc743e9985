namespace ParameterServer.DataPlane;

/// <summary>
/// A push's bytes, held under its token until the shard commits them. The shard applies <see cref="Payload"/>, then
/// disposes the push, which returns the buffer to the pool.
/// </summary>
public sealed class StagedPush : IDisposable
{
    private readonly BufferPool _pool;
    private byte[]? _buffer;

    internal StagedPush(BufferPool pool, Guid token, string shardKey, byte encoding, byte[] buffer, int length, bool screened, long stagedAt)
    {
        _pool = pool;
        _buffer = buffer;
        Token = token;
        ShardKey = shardKey;
        Encoding = encoding;
        Length = length;
        Screened = screened;
        StagedAt = stagedAt;
    }

    public Guid Token { get; }

    public string ShardKey { get; }

    /// <summary>The tensor encoding the client declared (ParameterServer.Contracts.TensorEncoding).</summary>
    public byte Encoding { get; }

    public int Length { get; }

    /// <summary>Whether the committer's <see cref="IPushCommitter.Screen"/> passed every byte as it arrived.</summary>
    public bool Screened { get; }

    public ReadOnlyMemory<byte> Payload =>
        (_buffer ?? throw new ObjectDisposedException(nameof(StagedPush), "the push was applied or expired and its buffer returned")).AsMemory(0, Length);

    /// <summary>When it was staged, as a <see cref="TimeProvider"/> timestamp.</summary>
    internal long StagedAt { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
            _pool.Return(buffer);
    }
}
