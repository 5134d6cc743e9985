using ParameterServer.Contracts;

namespace ParameterServer.Client;

/// <summary>How a client finds the silos of a cluster.</summary>
public enum ClusteringKind
{
    /// <summary>One silo on this machine, reached through its gateway port.</summary>
    /// <example><c>new ConnectionOptions { Clustering = ClusteringKind.Localhost, GatewayPort = 30000 }</c></example>
    Localhost = 0,

    /// <summary>Silos listed in an Azure Table (Azure Storage or Azurite), found through a connection string.</summary>
    /// <example><c>new ConnectionOptions { Clustering = ClusteringKind.Azure, ConnectionString = cs }</c></example>
    Azure = 1,
}

/// <summary>Where the cluster is and how long to try to reach it.</summary>
/// <example><c>await using var client = await ParameterServerClient.ConnectAsync(new ConnectionOptions { GatewayPort = 30000 });</c></example>
public sealed record ConnectionOptions
{
    /// <summary>The default gateway port of a local silo.</summary>
    /// <example><c>var port = ConnectionOptions.DefaultGatewayPort;</c></example>
    public const int DefaultGatewayPort = 30000;

    /// <summary>The default cluster and service id; a client only joins silos with the same ids.</summary>
    /// <example><c>var id = ConnectionOptions.DefaultClusterId;</c></example>
    public const string DefaultClusterId = "paramserver";

    /// <summary>Localhost (the default) or Azure Table clustering.</summary>
    /// <example><c>var o = new ConnectionOptions { Clustering = ClusteringKind.Azure, ConnectionString = cs };</c></example>
    public ClusteringKind Clustering { get; init; } = ClusteringKind.Localhost;

    /// <summary>The gateway port of the local silo (localhost clustering only).</summary>
    /// <example><c>var o = new ConnectionOptions { GatewayPort = 30001 };</c></example>
    public int GatewayPort { get; init; } = DefaultGatewayPort;

    /// <summary>The Azure Storage connection string of the clustering table (Azure clustering only).</summary>
    /// <example><c>var o = new ConnectionOptions { Clustering = ClusteringKind.Azure, ConnectionString = "UseDevelopmentStorage=true" };</c></example>
    public string? ConnectionString { get; init; }

    /// <summary>The cluster id the silos were started with.</summary>
    /// <example><c>var o = new ConnectionOptions { ClusterId = "prod-a" };</c></example>
    public string ClusterId { get; init; } = DefaultClusterId;

    /// <summary>The service id the silos were started with.</summary>
    /// <example><c>var o = new ConnectionOptions { ServiceId = "paramserver" };</c></example>
    public string ServiceId { get; init; } = DefaultClusterId;

    /// <summary>How long <see cref="ParameterServerClient.ConnectAsync"/> keeps trying before it reports the cluster unavailable.</summary>
    /// <example><c>var o = new ConnectionOptions { ConnectTimeout = TimeSpan.FromSeconds(2) };</c></example>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a call waits for its answer before it fails with a <see cref="TimeoutException"/> (Orleans' default,
    /// 30 s). A call to a shard whose silo dies through another silo's gateway fails only then: a shorter timeout lets a
    /// client retry on the shard's new silo sooner. It must exceed the longest call the client makes, such as
    /// <see cref="ModelHandle.WaitForClockAsync"/> with its timeout.
    /// </summary>
    /// <example><c>var o = new ConnectionOptions { ResponseTimeout = TimeSpan.FromSeconds(5) };</c></example>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How tensor bytes travel: on lanes to the silos' data ports (the default) or in grain calls.</summary>
    /// <example><c>var o = new ConnectionOptions { DataPlane = DataPlaneOptions.Off };</c></example>
    public DataPlaneOptions DataPlane { get; init; } = new();

    /// <summary>Throws <see cref="ParameterServerException"/> (<see cref="ErrorCode.InvalidArgument"/>) when the options cannot describe a cluster.</summary>
    /// <example><c>options.Validate();</c></example>
    public void Validate()
    {
        if (!Enum.IsDefined(Clustering))
            throw Invalid($"unknown clustering {(int)Clustering}");
        if (Clustering == ClusteringKind.Localhost && GatewayPort is <= 0 or > 65535)
            throw Invalid($"gateway port {GatewayPort} is not a TCP port");
        if (Clustering == ClusteringKind.Azure && string.IsNullOrWhiteSpace(ConnectionString))
            throw Invalid("Azure clustering needs a storage connection string");
        if (string.IsNullOrWhiteSpace(ClusterId) || string.IsNullOrWhiteSpace(ServiceId))
            throw Invalid("cluster id and service id must not be empty");
        if (ConnectTimeout <= TimeSpan.Zero)
            throw Invalid("connect timeout must be positive");
        if (ResponseTimeout <= TimeSpan.Zero)
            throw Invalid("response timeout must be positive");
        DataPlane.Validate();
    }

    /// <summary>Where the client looks for the cluster, for messages: "localhost gateway port 30000" or "Azure Table clustering (cluster paramserver)".</summary>
    /// <example><c>Console.WriteLine($"connecting to {options.Describe()}");</c></example>
    public string Describe() => Clustering == ClusteringKind.Azure
        ? $"Azure Table clustering (cluster '{ClusterId}')"
        : $"localhost gateway port {GatewayPort}";

    private static ParameterServerException Invalid(string message) => new(ErrorCode.InvalidArgument, message);
}
