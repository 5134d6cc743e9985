namespace ParameterServer.Grains.Storage;

/// <summary>Refuses, at silo start, options with which checkpoints would land somewhere unexpected.</summary>
public sealed class LocalCheckpointStorageOptionsValidator(LocalCheckpointStorageOptions options, string name) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        if (string.IsNullOrWhiteSpace(options.Directory))
            throw new OrleansConfigurationException($"Checkpoint storage '{name}': the directory is empty; give an absolute directory.");
        // A relative directory would depend on each process's working directory, and silos that should
        // share checkpoints could each find their own.
        if (!Path.IsPathFullyQualified(options.Directory))
            throw new OrleansConfigurationException($"Checkpoint storage '{name}': the directory '{options.Directory}' is relative; give an absolute directory.");
        if (options.LockTimeout <= TimeSpan.Zero)
            throw new OrleansConfigurationException($"Checkpoint storage '{name}': the lock timeout {options.LockTimeout} is not positive.");
    }
}
