namespace ParameterServer.Grains.Hosting;

/// <summary>Names of the grain storage providers the grains use.</summary>
public static class StorageNames
{
    /// <summary>Where shard and model checkpoints are written (local directory by default, Azure Blob in production).</summary>
    public const string Checkpoints = "checkpoints";
}
