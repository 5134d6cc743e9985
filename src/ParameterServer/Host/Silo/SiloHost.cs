using System.Net;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using ParameterServer.Client;
using ParameterServer.Grains.Hosting;
using ParameterServer.Host.Commands;
using ParameterServer.Host.Configuration;

namespace ParameterServer.Host.Silo;

/// <summary>A silo host configured from the "Cluster", "Storage", "Checkpoint" and "DataPlane" sections.</summary>
internal static class SiloHost
{
    public const string CheckpointSection = "Checkpoint";

    /// <summary>Orleans' <see cref="ClusterMembershipOptions"/> by their own names, e.g. --Membership:ProbeTimeout 00:00:01.</summary>
    public const string MembershipSection = "Membership";

    public static IHost Build(IConfiguration configuration)
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
            if (cluster.Clustering == ClusteringKind.Azure)
            {
                silo.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(cluster.ConnectionString));
                silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
                if (string.IsNullOrEmpty(cluster.AdvertisedAddress))
                    silo.ConfigureEndpoints(cluster.SiloPort, cluster.GatewayPort);
                else
                    silo.ConfigureEndpoints(AdvertisedAddress(cluster.AdvertisedAddress), cluster.SiloPort, cluster.GatewayPort);
            }
            else
            {
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            }
            silo.Configure<ClusterMembershipOptions>(membership => configuration.GetSection(MembershipSection).Bind(membership));
            silo.AddParameterServerGrains(policy => configuration.GetSection(CheckpointSection).Bind(policy))
                .AddDataPlane(dataPlane.Configure);
            if (storage.Provider == StorageKind.Blob)
                silo.AddBlobCheckpointStorage(storage.ConnectionString!, storage.Container);
            else
                silo.AddLocalCheckpointStorage(storage.CheckpointDirectory);
        });
        return builder.Build();
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
