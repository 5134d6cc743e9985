namespace ParameterServer.DataPlane;

/// <summary>
/// A buffer rented from a <see cref="BufferPool"/> and lent out, for instance as a <see cref="ShardSnapshot"/>'s
/// bytes: disposing it gives the buffer back, once.
/// Example: <c>ShardSnapshot.Of(version, buffer.AsMemory(0, length), new BufferLease(pool, buffer))</c>.
/// </summary>
public sealed class BufferLease(BufferPool pool, byte[] buffer) : IDisposable
{
    private byte[]? _buffer = buffer;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } held)
            pool.Return(held);
    }
}
