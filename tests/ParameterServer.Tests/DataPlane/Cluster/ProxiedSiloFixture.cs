using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using ParameterServer.Client;
using ParameterServer.Grains.DataPlane;
using ParameterServer.Grains.Hosting;
using ParameterServer.Tests.Client;
using Xunit;

namespace ParameterServer.Tests.DataPlane.Cluster;

/// <summary>
/// One silo whose data port clients reach through a <see cref="LoopbackProxy"/> (the silo advertises the proxy's port),
/// so a test can cut a lane in the middle of a transfer or refuse every lane; the client keeps one lane.
/// </summary>
public sealed class ProxiedSiloFixture : IAsyncLifetime
{
    private const string DirectoryKey = "CheckpointDirectory";
    private const string DataPortKey = "DataPort";
    private const string ProxyPortKey = "ProxyPort";

    private readonly string _checkpoints = Directory.CreateTempSubdirectory("ps-proxied-").FullName;

    public TestCluster Cluster { get; private set; } = null!;

    public ParameterServerClient Client { get; private set; } = null!;

    public DataPort DataPort => Cluster.GetSiloServiceProvider(Cluster.GetActiveSilos().Single().SiloAddress).GetRequiredService<DataPort>();

    internal LoopbackProxy Proxy { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var dataPort = ConnectTests.FreePort();
        Proxy = new LoopbackProxy(new IPEndPoint(IPAddress.Loopback, dataPort));
        var builder = new TestClusterBuilder(1);
        builder.Properties[DirectoryKey] = _checkpoints;
        builder.Properties[DataPortKey] = dataPort.ToString(CultureInfo.InvariantCulture);
        builder.Properties[ProxyPortKey] = Proxy.Endpoint.Port.ToString(CultureInfo.InvariantCulture);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Client = new ParameterServerClient(Cluster.Client, new DataPlaneOptions { LanesPerSilo = 1 });
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Proxy.DisposeAsync();
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Directory.Delete(_checkpoints, recursive: true);
    }

    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var configuration = siloBuilder.Configuration;
            siloBuilder
                .AddLocalCheckpointStorage(configuration[DirectoryKey]!)
                .AddParameterServerGrains()
                .AddDataPlane(o =>
                {
                    o.Port = int.Parse(configuration[DataPortKey]!, CultureInfo.InvariantCulture);
                    o.AdvertisedHost = IPAddress.Loopback.ToString();
                    o.AdvertisedPort = int.Parse(configuration[ProxyPortKey]!, CultureInfo.InvariantCulture);
                });
        }
    }
}
