using Orleans.TestingHost;
using ParameterServer.Grains.Hosting;

namespace ParameterServer.Tests.Cluster;

/// <summary>One TestCluster of two silos, shared by every cluster test.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>Small enough that tests see both checkpoint triggers fire within a second or two.</summary>
    public const int CheckpointEveryUpdates = 4;
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    public sealed class SiloConfigurator : ISiloConfigurator
    {
        // Memory storage lives on the silos: fine for these tests, never for a durability test.
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder
            .AddMemoryGrainStorage(StorageNames.Checkpoints)
            .AddParameterServerGrains(p =>
            {
                p.EveryUpdates = CheckpointEveryUpdates;
                p.Interval = CheckpointInterval;
            });
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
