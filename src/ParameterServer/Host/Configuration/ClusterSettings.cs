using Microsoft.Extensions.Configuration;
using ParameterServer.Client;

namespace ParameterServer.Host.Configuration;

/// <summary>The "Cluster" configuration section: how silos find each other and clients find silos.</summary>
internal sealed class ClusterSettings
{
    public const string Section = "Cluster";

    /// <summary>localhost (one silo on this machine) or azure (Azure Table clustering).</summary>
    public ClusteringKind Clustering { get; set; } = ClusteringKind.Localhost;

    /// <summary>Azure Storage connection string of the clustering table.</summary>
    public string? ConnectionString { get; set; }

    public string ClusterId { get; set; } = ConnectionOptions.DefaultClusterId;

    public string ServiceId { get; set; } = ConnectionOptions.DefaultClusterId;

    /// <summary>Port silos talk to each other on.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port clients connect to.</summary>
    public int GatewayPort { get; set; } = ConnectionOptions.DefaultGatewayPort;

    /// <summary>
    /// The IP address an Azure-clustered silo advertises and listens on (127.0.0.1 keeps a local cluster on loopback);
    /// null: the machine's address.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// Orleans Kubernetes hosting (silo only, with Azure Table clustering, which it does not replace): the silo takes its
    /// name, address and ids from its pod (POD_NAME, POD_IP, ORLEANS_SERVICE_ID, ORLEANS_CLUSTER_ID), listens on every
    /// address, and declares the silos of deleted pods dead.
    /// </summary>
    public bool Kubernetes { get; set; }

    /// <summary>How long a client keeps trying to reach the cluster.</summary>
    public double ConnectTimeoutSeconds { get; set; } = 10;

    public static ClusterSettings From(IConfiguration configuration) => configuration.Bind<ClusterSettings>(Section);

    /// <summary>The client's connection, with the data plane as <paramref name="dataPlane"/> configures it.</summary>
    public ConnectionOptions ToConnectionOptions(DataPlaneSettings dataPlane) => new()
    {
        Clustering = Clustering,
        GatewayPort = GatewayPort,
        ConnectionString = ConnectionString,
        ClusterId = ClusterId,
        ServiceId = ServiceId,
        ConnectTimeout = TimeSpan.FromSeconds(ConnectTimeoutSeconds),
        DataPlane = dataPlane.ToClientOptions(),
    };

    public string Describe() => Clustering == ClusteringKind.Azure
        ? $"cluster '{ClusterId}' (Azure Table clustering{(Kubernetes ? ", Kubernetes hosting" : "")})"
        : $"cluster '{ClusterId}' (localhost)";
}
