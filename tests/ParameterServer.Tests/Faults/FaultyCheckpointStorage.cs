using Orleans.Storage;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// A checkpoint store in front of a real one that a test can take down, make hang, or make lose the answer to a write,
/// and that counts the writes tried.
/// </summary>
public sealed class FaultyCheckpointStorage(IGrainStorage store) : IGrainStorage
{
    public enum Mode
    {
        Up,
        /// <summary>Every read and write fails, as when the storage service is unreachable.</summary>
        Down,
        /// <summary>
        /// The next write lands but its answer is lost, and the client's automatic retry of the same request then fails
        /// the ETag check against the write that landed (what an HTTP storage client does when a connection drops).
        /// </summary>
        LoseNextAnswer,
        /// <summary>Writes wait until the mode changes, as when the service takes requests but does not answer them.</summary>
        Hang,
    }

    private int _writes;

    public volatile Mode Current;

    /// <summary>Writes tried since the store was created, failed or not.</summary>
    public int Writes => Volatile.Read(ref _writes);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ThrowIfDown();
        return store.ReadStateAsync(stateName, grainId, grainState);
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        Interlocked.Increment(ref _writes);
        while (Current == Mode.Hang)
            await Task.Delay(10);
        ThrowIfDown();
        if (Current != Mode.LoseNextAnswer)
        {
            await store.WriteStateAsync(stateName, grainId, grainState);
            return;
        }
        Current = Mode.Up;
        var sentETag = grainState.ETag;
        await store.WriteStateAsync(stateName, grainId, grainState);
        grainState.ETag = sentETag;
        await store.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ThrowIfDown();
        return store.ClearStateAsync(stateName, grainId, grainState);
    }

    private void ThrowIfDown()
    {
        if (Current == Mode.Down)
            throw new IOException("checkpoint store is down (test)");
    }
}
