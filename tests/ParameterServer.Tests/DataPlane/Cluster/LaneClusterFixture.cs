using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;
using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Grains.DataPlane;
using ParameterServer.Grains.Hosting;
using Xunit;

namespace ParameterServer.Tests.DataPlane.Cluster;

/// <summary>
/// A TestCluster of two silos, each with a data port of its own, and a client that pushes and pulls on lanes. Tokens
/// expire after <see cref="TokenExpiry"/>, so expiry tests need not wait long. Each silo's <see cref="CommitInterceptor"/>
/// lets a test act between a push's arrival and the commit its data port makes.
/// </summary>
public sealed class LaneClusterFixture : IAsyncLifetime
{
    public static readonly TimeSpan TokenExpiry = TimeSpan.FromSeconds(2);

    private const string DirectoryKey = "CheckpointDirectory";

    private readonly string _checkpoints = Directory.CreateTempSubdirectory("ps-lanes-").FullName;

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>The client API on lanes, two per silo.</summary>
    public ParameterServerClient Client { get; private set; } = null!;

    public CommitInterceptor Commits(SiloHandle silo) => Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<CommitInterceptor>();

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.Properties[DirectoryKey] = _checkpoints;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Client = new ParameterServerClient(Cluster.Client, new DataPlaneOptions { LanesPerSilo = 2 });
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Directory.Delete(_checkpoints, recursive: true);
    }

    public DataPort DataPort(SiloHandle silo) => Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<DataPort>();

    /// <summary>The silo whose data port serves <paramref name="shardKey"/> now.</summary>
    public SiloHandle Hosting(string shardKey) => Cluster.GetActiveSilos().Single(silo => DataPort(silo).Hosts(shardKey));

    /// <summary>
    /// Moves a shard to <paramref name="silo"/> as Orleans moves a grain when the cluster rebalances: it deactivates
    /// where it is (leaving that silo's data port) and activates on the silo named by the placement hint.
    /// </summary>
    public async Task MoveAsync(string shardKey, SiloHandle silo)
    {
        var shard = Grains.GetGrain<IShardGrain>(shardKey);
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo.SiloAddress);
        try
        {
            await shard.Cast<IGrainManagementExtension>().MigrateOnIdle();
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
        await shard.GetInfo(); // waits for the new activation
        Assert.True(DataPort(silo).Hosts(shardKey), $"shard {shardKey} moved elsewhere than to {silo.SiloAddress}");
    }

    /// <summary>What every silo's data port has moved so far.</summary>
    public LaneTotals Totals() => Cluster.GetActiveSilos().Select(silo => LaneTotals.Of(DataPort(silo).Lanes.Counters)).Aggregate((a, b) => a + b);

    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder
                .AddLocalCheckpointStorage(siloBuilder.Configuration[DirectoryKey]!)
                .AddParameterServerGrains()
                .AddDataPlane(o => (o.Port, o.TokenExpiry) = (DataPortOptions.AnyFreePort, TokenExpiry));
            siloBuilder.Services.AddSingleton<CommitInterceptor>();
            siloBuilder.Services.AddSingleton<IOutgoingGrainCallFilter>(services => services.GetRequiredService<CommitInterceptor>());
        }
    }
}

[CollectionDefinition(Name)]
public sealed class LaneClusterCollection : ICollectionFixture<LaneClusterFixture>
{
    public const string Name = "lane cluster";
}
