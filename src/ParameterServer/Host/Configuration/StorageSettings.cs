using Microsoft.Extensions.Configuration;

namespace ParameterServer.Host.Configuration;

/// <summary>Where the silo writes shard checkpoints.</summary>
internal enum StorageKind
{
    /// <summary>A local directory (the embedded default).</summary>
    Local = 0,
    /// <summary>Azure Blob storage (or Azurite).</summary>
    Blob = 1,
}

/// <summary>The "Storage" configuration section: the checkpoint store.</summary>
internal sealed class StorageSettings
{
    public const string Section = "Storage";

    public StorageKind Provider { get; set; } = StorageKind.Local;

    /// <summary>Azure Storage connection string (blob storage only).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Blob container (blob storage only).</summary>
    public string Container { get; set; } = "checkpoints";

    /// <summary>The silo's data directory; local checkpoints go to its "checkpoints" folder.</summary>
    public string DataDirectory { get; set; } = "./data";

    public string CheckpointDirectory => Path.GetFullPath(Path.Combine(DataDirectory, "checkpoints"));

    public static StorageSettings From(IConfiguration configuration)
    {
        var settings = configuration.Bind<StorageSettings>(Section);
        if (settings.Provider == StorageKind.Blob && string.IsNullOrWhiteSpace(settings.ConnectionString))
            throw new Commands.UsageException("blob storage needs Storage:ConnectionString (--storage-connection-string)");
        return settings;
    }

    public string Describe() => Provider == StorageKind.Blob
        ? $"checkpoints in Azure Blob container '{Container}'"
        : $"checkpoints in {CheckpointDirectory}";
}
