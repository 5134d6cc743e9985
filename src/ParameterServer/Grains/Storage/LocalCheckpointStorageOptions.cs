namespace ParameterServer.Grains.Storage;

/// <summary>Options of <see cref="LocalDirectoryGrainStorage"/>.</summary>
public sealed class LocalCheckpointStorageOptions
{
    public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Absolute directory that holds the checkpoints; created when missing.</summary>
    public string Directory { get; set; } = "";

    /// <summary>How long a write of a grain's checkpoint waits while another writer of the same grain holds its lock.</summary>
    public TimeSpan LockTimeout { get; set; } = DefaultLockTimeout;
}
