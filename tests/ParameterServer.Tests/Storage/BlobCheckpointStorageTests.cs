using Azure.Storage.Blobs;
using Orleans.Storage;
using ParameterServer.Contracts;
using ParameterServer.Grains.Hosting;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Storage;

/// <summary>
/// Orleans' Azure Blob grain storage as <see cref="CheckpointStorageSiloBuilderExtensions.AddBlobCheckpointStorage"/>
/// configures it, against Azurite (started by ./test.sh, which exports PS_AZURITE).
/// </summary>
public sealed class BlobCheckpointStorageTests(AzuriteCheckpointStorageFixture azurite) : IClassFixture<AzuriteCheckpointStorageFixture>
{
    private const string StateName = "shard";

    [SkippableFact]
    public async Task Round_trips_a_state_bit_exact_in_the_checkpoint_format()
    {
        var storage = RequireAzurite();
        var id = GrainId.Create("shard", "model/table/1");
        var written = new GrainState<TestShardState>(TestShardState.Create(seed: 51, length: 50_000, version: 4));

        await storage.WriteStateAsync(StateName, id, written);
        var read = new GrainState<TestShardState>(new TestShardState());
        await storage.ReadStateAsync(StateName, id, read);

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        TestShardState.AssertBitExact(written.State, read.State);
        var stored = (await Blob(id).DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal("PSCK"u8.ToArray(), stored[..4]);
    }

    [SkippableFact]
    public async Task A_damaged_blob_is_refused_with_CorruptCheckpoint()
    {
        var storage = RequireAzurite();
        var id = GrainId.Create("shard", "model/table/2");
        await storage.WriteStateAsync(StateName, id, new GrainState<TestShardState>(TestShardState.Create(seed: 52, length: 1000, version: 1)));
        var blob = Blob(id);
        var bytes = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        bytes[bytes.Length / 2] ^= 0xff;
        await blob.UploadAsync(new BinaryData(bytes), overwrite: true);

        var e = await Assert.ThrowsAsync<ParameterServerException>(
            () => storage.ReadStateAsync(StateName, id, new GrainState<TestShardState>(new TestShardState())));

        Assert.Equal(ErrorCode.CorruptCheckpoint, e.Code);
        Assert.Contains("checksum mismatch", e.Message);
    }

    [SkippableFact]
    public async Task A_write_based_on_a_stale_ETag_throws_InconsistentStateException()
    {
        var storage = RequireAzurite();
        var id = GrainId.Create("shard", "model/table/3");
        var first = new GrainState<TestShardState>(TestShardState.Create(seed: 53, length: 10, version: 1));
        await storage.WriteStateAsync(StateName, id, first);
        var second = new GrainState<TestShardState>(new TestShardState());
        await storage.ReadStateAsync(StateName, id, second);
        await storage.WriteStateAsync(StateName, id, second);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, id, first));
    }

    [SkippableFact]
    public async Task Clear_deletes_the_blob()
    {
        var storage = RequireAzurite();
        var id = GrainId.Create("shard", "model/table/4");
        var state = new GrainState<TestShardState>(TestShardState.Create(seed: 54, length: 10, version: 1));
        await storage.WriteStateAsync(StateName, id, state);

        await storage.ClearStateAsync(StateName, id, state);

        Assert.Empty(BlobNames(id));
        var read = new GrainState<TestShardState>(new TestShardState());
        await storage.ReadStateAsync(StateName, id, read);
        Assert.False(read.RecordExists);
    }

    private IGrainStorage RequireAzurite()
    {
        Skip.If(azurite.Storage is null, "PS_AZURITE is unset: ./test.sh starts Azurite and sets it.");
        return azurite.Storage!;
    }

    private BlobClient Blob(GrainId id) => azurite.Container.GetBlobClient(Assert.Single(BlobNames(id)));

    // Found by listing, so the tests do not depend on how Orleans names blobs.
    private string[] BlobNames(GrainId id) =>
        azurite.Container.GetBlobs().Select(b => b.Name).Where(n => n.Contains(id.Key.ToString()!)).ToArray();
}
