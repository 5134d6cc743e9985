using ParameterServer.Host.Configuration;

namespace ParameterServer.Host.Commands;

/// <summary>The options that say where the cluster is: shared by the silo (to form it) and the client commands (to reach it).</summary>
internal static class ConnectionOptionSpecs
{
    private const string Cluster = ClusterSettings.Section;

    public static readonly OptionSpec[] Clustering =
    [
        new("clustering", "localhost (default) or azure (Azure Table clustering)", "KIND", $"{Cluster}:Clustering"),
        new("gateway-port", "gateway port of the silo (default 30000)", "PORT", $"{Cluster}:GatewayPort"),
        new("connection-string", "Azure Storage connection string of the clustering table", "CS", $"{Cluster}:ConnectionString"),
        new("cluster-id", "cluster id (default paramserver)", "ID", $"{Cluster}:ClusterId"),
        new("service-id", "service id (default paramserver)", "ID", $"{Cluster}:ServiceId"),
    ];

    /// <summary>What the client commands accept: where the cluster is and how long to try.</summary>
    public static readonly OptionSpec[] Client =
    [
        .. Clustering,
        new("connect-timeout", "seconds to keep trying to reach the cluster (default 10)", "SECONDS", $"{Cluster}:ConnectTimeoutSeconds"),
    ];
}
