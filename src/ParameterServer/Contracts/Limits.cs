namespace ParameterServer.Contracts;

/// <summary>Sizes that keep every grain call far below Orleans' 100 MiB message limit.</summary>
public static class Limits
{
    /// <summary>Target size of an automatically sized shard.</summary>
    public const int DefaultShardBytes = 2 << 20;

    /// <summary>Largest shard a table spec may ask for.</summary>
    public const int MaxShardBytes = 32 << 20;

    /// <summary>Largest payload one call may carry; larger ones are refused before they are sent.</summary>
    public const int MaxMessageBytes = 64 << 20;

    /// <summary>Most shards one model may have (at <see cref="DefaultShardBytes"/> each, 128 GiB of parameters).</summary>
    public const int MaxShardsPerModel = 1 << 16;

    /// <summary>Most data partitions one job may assign (every assignment reply lists a worker's partitions).</summary>
    public const int MaxPartitions = 1 << 12;
}
