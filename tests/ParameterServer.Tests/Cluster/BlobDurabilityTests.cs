using Orleans.TestingHost;
using ParameterServer.Grains.Hosting;
using ParameterServer.Tests.Storage;
using Xunit;

namespace ParameterServer.Tests.Cluster;

/// <summary>
/// The silo-loss scenario with Azure Blob checkpoints on Azurite: a two-silo cluster of its own, since its store
/// differs. Skipped, with the reason, where ./test.sh did not start Azurite (PS_AZURITE unset).
/// </summary>
public sealed class BlobDurabilityTests(BlobDurabilityTests.BlobClusterFixture fixture) : IClassFixture<BlobDurabilityTests.BlobClusterFixture>
{
    [SkippableFact]
    public async Task Shard_of_a_killed_silo_reactivates_from_its_blob_checkpoint()
    {
        Skip.If(fixture.Cluster is null, "PS_AZURITE is not set: run the tests through ./test.sh, which starts Azurite");
        await SiloLoss.ShardReactivatesFromItsCheckpoint(fixture.Cluster);
    }

    public sealed class BlobClusterFixture : IAsyncLifetime
    {
        private const string ConnectionKey = "BlobConnectionString";
        private const string ContainerKey = "BlobContainer";

        public TestCluster? Cluster { get; private set; }

        public async Task InitializeAsync()
        {
            if (AzuriteCheckpointStorageFixture.ConnectionString is not { } connection) return;
            var builder = new TestClusterBuilder(2);
            builder.Properties[ConnectionKey] = connection;
            builder.Properties[ContainerKey] = $"durable-{Guid.NewGuid():N}";
            builder.AddSiloBuilderConfigurator<SiloConfigurator>();
            Cluster = builder.Build();
            await Cluster.DeployAsync();
        }

        public async Task DisposeAsync()
        {
            if (Cluster is null) return;
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }

        private sealed class SiloConfigurator : ISiloConfigurator
        {
            public void Configure(ISiloBuilder siloBuilder) => siloBuilder
                .AddBlobCheckpointStorage(siloBuilder.Configuration[ConnectionKey]!, siloBuilder.Configuration[ContainerKey]!)
                .AddParameterServerGrains();
        }
    }
}
