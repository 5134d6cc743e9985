namespace ParameterServer.DataPlane;

/// <summary>
/// A snapshot source's answer to a pull: bytes at a version, "current" (the caller holds the version), or a refusal.
/// Example: <c>ShardSnapshot.Of(version, snapshotBytes)</c>.
/// </summary>
public readonly struct ShardSnapshot
{
    private ShardSnapshot(bool modified, long version, ReadOnlyMemory<byte> bytes, IDisposable? lease, LaneError error, string? message)
    {
        Modified = modified;
        Version = version;
        Bytes = bytes;
        Lease = lease;
        Error = error;
        Message = message;
    }

    /// <summary>False when the caller's version is current, or for a refusal.</summary>
    public bool Modified { get; }

    public long Version { get; }

    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Disposed once <see cref="Bytes"/> are sent, so a source may lend pooled or shared buffers.</summary>
    public IDisposable? Lease { get; }

    /// <summary><see cref="LaneError.None"/> unless refused.</summary>
    public LaneError Error { get; }

    public string? Message { get; }

    /// <summary>The shard's bytes at <paramref name="version"/>; <paramref name="lease"/> is disposed after sending.</summary>
    public static ShardSnapshot Of(long version, ReadOnlyMemory<byte> bytes, IDisposable? lease = null) =>
        new(true, version, bytes, lease, LaneError.None, null);

    /// <summary>The caller already holds <paramref name="version"/>: nothing to send.</summary>
    public static ShardSnapshot Current(long version) => new(false, version, default, null, LaneError.None, null);

    public static ShardSnapshot Refuse(LaneError error, string message)
    {
        if (!error.IsRefusal())
            throw new ArgumentException($"{error} is not a refusal a snapshot source can answer with", nameof(error));
        return new(false, 0, default, null, error, message);
    }
}
