using Microsoft.Extensions.Hosting;
using ParameterServer.Grains.Hosting;
using ParameterServer.Grains.Storage;
using Xunit;

namespace ParameterServer.Tests.Storage;

public sealed class CheckpointStorageRegistrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ps-checkpoints-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AddLocalCheckpointStorage_serves_the_checkpoints_storage_from_the_directory()
    {
        await using var silo = await SiloWithCheckpointStorage.StartAsync(silo => silo.AddLocalCheckpointStorage(_directory));
        var state = new GrainState<TestShardState>(TestShardState.Create(seed: 61, length: 10, version: 1));

        await silo.Storage.WriteStateAsync("shard", GrainId.Create("shard", "m/t/0"), state);

        Assert.IsType<LocalDirectoryGrainStorage>(silo.Storage);
        Assert.Single(Directory.GetFiles(_directory, "*.ckpt"));
    }

    [Fact]
    public async Task AddLocalCheckpointStorage_with_a_relative_directory_stops_the_silo_from_starting()
    {
        var e = await Assert.ThrowsAsync<OrleansConfigurationException>(
            () => SiloWithCheckpointStorage.StartAsync(silo => silo.AddLocalCheckpointStorage("checkpoints")));

        Assert.Contains("'checkpoints' is relative", e.Message);
    }

    [Fact]
    public void AddBlobCheckpointStorage_refuses_a_malformed_connection_string_before_the_silo_starts()
    {
        var builder = new HostBuilder();

        Assert.ThrowsAny<FormatException>(() => builder.UseOrleans(silo => silo.AddBlobCheckpointStorage("not a connection string")).Build());
    }
}
