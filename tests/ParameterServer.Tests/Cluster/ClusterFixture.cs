using Orleans.TestingHost;
using ParameterServer.Grains.Hosting;

namespace ParameterServer.Tests.Cluster;

/// <summary>
/// One TestCluster of two silos, shared by every cluster test, checkpointing into a temporary directory that
/// outlives any silo. The worker tests link this file too, so it names xunit's types in full instead of importing
/// them (that project imports Xunit globally, this one per file).
/// </summary>
public sealed class ClusterFixture : Xunit.IAsyncLifetime
{
    private const string DirectoryKey = "CheckpointDirectory";

    /// <summary>Small enough that tests see both checkpoint triggers fire within a second or two.</summary>
    public const int CheckpointEveryUpdates = 4;
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);

    public string CheckpointDirectory { get; } = Directory.CreateTempSubdirectory("ps-checkpoints-").FullName;

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.Properties[DirectoryKey] = CheckpointDirectory;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Directory.Delete(CheckpointDirectory, recursive: true);
    }

    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder
            .AddLocalCheckpointStorage(siloBuilder.Configuration[DirectoryKey]!)
            .AddParameterServerGrains(p =>
            {
                p.EveryUpdates = CheckpointEveryUpdates;
                p.Interval = CheckpointInterval;
            });
    }
}

[Xunit.CollectionDefinition(Name)]
public sealed class ClusterCollection : Xunit.ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
