using Azure.Storage.Blobs;
using Orleans.Storage;
using ParameterServer.Grains.Hosting;
using Xunit;

namespace ParameterServer.Tests.Storage;

/// <summary>
/// One silo with <see cref="CheckpointStorageSiloBuilderExtensions.AddBlobCheckpointStorage"/> on Azurite, in a
/// container of its own, shared by the tests of a class; nothing is started when PS_AZURITE is unset.
/// </summary>
public sealed class AzuriteCheckpointStorageFixture : IAsyncLifetime
{
    public static readonly string? ConnectionString = Environment.GetEnvironmentVariable("PS_AZURITE");

    private readonly string _containerName = $"checkpoint-tests-{Guid.NewGuid():N}";
    private SiloWithCheckpointStorage? _silo;

    /// <summary>The silo's checkpoint storage, or null without Azurite.</summary>
    public IGrainStorage? Storage => _silo?.Storage;

    public BlobContainerClient Container => new BlobServiceClient(ConnectionString).GetBlobContainerClient(_containerName);

    public async Task InitializeAsync()
    {
        if (ConnectionString is not null)
            _silo = await SiloWithCheckpointStorage.StartAsync(silo => silo.AddBlobCheckpointStorage(ConnectionString, _containerName));
    }

    public async Task DisposeAsync()
    {
        if (_silo is null)
            return;
        await _silo.DisposeAsync();
        await Container.DeleteIfExistsAsync();
    }
}
