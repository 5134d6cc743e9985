using System.Net;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;
using ParameterServer.Client;
using ParameterServer.Grains.Hosting;
using ParameterServer.Host.Commands;
using ParameterServer.Host.Configuration;

namespace ParameterServer.Host.Silo;

/// <summary>A silo host configured from the "Cluster", "Storage", "Checkpoint", "Models" and "DataPlane" sections.</summary>
internal static class SiloHost
{
    public const string CheckpointSection = "Checkpoint";

    /// <summary><see cref="ModelLimitsOptions"/> by their own names, e.g. --Models:MaxModelBytes 8589934592.</summary>
    public const string ModelsSection = "Models";

    /// <summary>Orleans' <see cref="ClusterMembershipOptions"/> by their own names, e.g. --Membership:ProbeTimeout 00:00:01.</summary>
    public const string MembershipSection = "Membership";

    public static IHost Build(IConfiguration configuration) => CreateBuilder(configuration).Build();

    /// <summary>The silo's host builder, every service registered: what <see cref="Build"/> builds.</summary>
    public static HostApplicationBuilder CreateBuilder(IConfiguration configuration)
    {
        var cluster = ClusterSettings.From(configuration);
        var storage = StorageSettings.From(configuration);
        var dataPlane = DataPlaneSettings.From(configuration);
        cluster.ToConnectionOptions(dataPlane).Validate();

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        // Orleans logs a lot at Information; the silo's own lines stay visible. appsettings.json "Logging" overrides.
        builder.Logging.SetMinimumLevel(LogLevel.Warning)
            .AddFilter("ParameterServer", LogLevel.Information)
            .AddConfiguration(configuration.GetSection("Logging"))
            .AddSimpleConsole(o => (o.SingleLine, o.TimestampFormat) = (true, "HH:mm:ss "));
        builder.UseOrleans(silo =>
        {
            UseClustering(silo, cluster);
            silo.Configure<ClusterMembershipOptions>(membership => configuration.GetSection(MembershipSection).Bind(membership));
            silo.AddParameterServerGrains(policy => configuration.GetSection(CheckpointSection).Bind(policy))
                .AddModelLimits(limits => configuration.GetSection(ModelsSection).Bind(limits))
                .AddDataPlane(dataPlane.Configure);
            if (storage.Provider == StorageKind.Blob)
                silo.AddBlobCheckpointStorage(storage.ConnectionString!, storage.Container);
            else
                silo.AddLocalCheckpointStorage(storage.CheckpointDirectory);
        });
        return builder;
    }

    private static void UseClustering(ISiloBuilder silo, ClusterSettings cluster)
    {
        if (cluster.Clustering != ClusteringKind.Azure)
        {
            if (cluster.Kubernetes)
                throw new UsageException($"{ClusterSettings.Section}:{nameof(ClusterSettings.Kubernetes)} needs azure clustering: Kubernetes hosting keeps no membership of its own");
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            return;
        }
        silo.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(cluster.ConnectionString));
        silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
        IPAddress? advertised = string.IsNullOrEmpty(cluster.AdvertisedAddress) ? null : AdvertisedAddress(cluster.AdvertisedAddress);
        if (cluster.Kubernetes)
        {
            // Kubernetes hosting listens on every address. It would advertise POD_IP only where no address is set, but
            // Orleans' endpoint defaults set the machine's first (10.4.2): the pod's IP is taken here, unless one is given.
            // Configured after the ids above, its pod-label ids (ORLEANS_SERVICE_ID, ORLEANS_CLUSTER_ID) win where set.
            var podIp = Environment.GetEnvironmentVariable(KubernetesHostingOptions.PodIPEnvironmentVariable);
            advertised ??= string.IsNullOrEmpty(podIp) ? null : AdvertisedAddress(podIp);
            silo.Configure<EndpointOptions>(o =>
            {
                (o.SiloPort, o.GatewayPort) = (cluster.SiloPort, cluster.GatewayPort);
                if (advertised is not null) o.AdvertisedIPAddress = advertised;
            });
            silo.UseKubernetesHosting();
        }
        else if (advertised is null)
        {
            silo.ConfigureEndpoints(cluster.SiloPort, cluster.GatewayPort);
        }
        else
        {
            silo.ConfigureEndpoints(advertised, cluster.SiloPort, cluster.GatewayPort);
        }
    }

    private static IPAddress AdvertisedAddress(string text) =>
        IPAddress.TryParse(text, out var address) ? address : throw new UsageException($"advertised address '{text}' is not an IP address");

    /// <summary>The one line the silo logs when it is ready.</summary>
    public static string Describe(IConfiguration configuration)
    {
        var cluster = ClusterSettings.From(configuration);
        return $"silo ready: {cluster.Describe()}, silo port {cluster.SiloPort}, gateway port {cluster.GatewayPort}, " +
            $"{DataPlaneSettings.From(configuration).Describe()}, {StorageSettings.From(configuration).Describe()}";
    }
}
