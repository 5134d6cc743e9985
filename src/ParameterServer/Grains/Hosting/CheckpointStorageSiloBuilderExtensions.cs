using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;
using ParameterServer.Grains.Storage;

namespace ParameterServer.Grains.Hosting;

/// <summary>Registers the checkpoint storage under <see cref="StorageNames.Checkpoints"/>: a local directory or Azure Blob storage.</summary>
public static class CheckpointStorageSiloBuilderExtensions
{
    /// <summary>How long one try of a blob request may take: a 32 MiB shard uploads in a few seconds.</summary>
    public static readonly TimeSpan BlobNetworkTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Checkpoints in files under an absolute directory, the embedded default. Silos that share the
    /// directory share the checkpoints.
    /// Example: <c>silo.AddLocalCheckpointStorage("/var/lib/paramserver/checkpoints")</c>
    /// </summary>
    public static ISiloBuilder AddLocalCheckpointStorage(this ISiloBuilder builder, string directory)
    {
        const string name = StorageNames.Checkpoints;
        var services = builder.Services;
        services.AddOptions<LocalCheckpointStorageOptions>(name).Configure(options => options.Directory = directory);
        services.AddTransient<IConfigurationValidator>(sp => new LocalCheckpointStorageOptionsValidator(OptionsOf(sp, name), name));
        services.TryAddSingleton<CheckpointSerializer>();
        services.AddGrainStorage(name, (sp, storageName) =>
            ActivatorUtilities.CreateInstance<LocalDirectoryGrainStorage>(sp, storageName, OptionsOf(sp, storageName)));
        return builder;
    }

    /// <summary>
    /// Checkpoints as blobs in an Azure Storage container (created when missing), in the same format as the
    /// local store. A malformed connection string is refused here, before the silo starts.
    /// Example: <c>silo.AddBlobCheckpointStorage(Environment.GetEnvironmentVariable("PS_AZURITE")!)</c>
    /// </summary>
    public static ISiloBuilder AddBlobCheckpointStorage(this ISiloBuilder builder, string connectionString, string container = "checkpoints")
    {
        // A storage service that hangs fails a try after BlobNetworkTimeout rather than the SDK's 100 s, so the
        // shard's checkpoint is retried (with backoff) instead of waiting for minutes.
        var options = new BlobClientOptions();
        options.Retry.NetworkTimeout = BlobNetworkTimeout;
        var client = new BlobServiceClient(connectionString, options);
        builder.Services.TryAddSingleton<CheckpointSerializer>();
        return builder.AddAzureBlobGrainStorage(StorageNames.Checkpoints, optionsBuilder =>
            optionsBuilder.Configure<CheckpointSerializer>((options, serializer) =>
            {
                options.BlobServiceClient = client;
                options.ContainerName = container;
                options.GrainStorageSerializer = serializer;
                options.DeleteStateOnClear = true;
            }));
    }

    private static LocalCheckpointStorageOptions OptionsOf(IServiceProvider services, string name) =>
        services.GetRequiredService<IOptionsMonitor<LocalCheckpointStorageOptions>>().Get(name);
}
