using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ParameterServer.Grains.DataPlane;
using ParameterServer.Host.Configuration;
using ParameterServer.Host.Silo;

namespace ParameterServer.Host.Commands;

/// <summary>
/// <c>paramserver silo</c>: runs a silo until Ctrl-C or SIGTERM, then stops it gracefully (deactivating shards
/// writes their checkpoints).
/// </summary>
internal sealed class SiloCommand : ICommand
{
    public string Name => "silo";

    public string Summary => "run a silo (localhost clustering and checkpoints under ./data by default)";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        .. ConnectionOptionSpecs.Clustering,
        new("silo-port", "port silos talk to each other on (default 11111)", "PORT", $"{ClusterSettings.Section}:SiloPort"),
        new("advertised-address", "IP address an azure-clustered silo advertises and listens on (default: the machine's)", "IP", $"{ClusterSettings.Section}:AdvertisedAddress"),
        new("data-port", "port of the data plane's lanes: 0 off, -1 any free port (default 11300)", "PORT", $"{DataPlaneSettings.Section}:Port"),
        new("data-host", "host name or address clients reach the data port at (default: the silo's address)", "HOST", $"{DataPlaneSettings.Section}:AdvertisedHost"),
        new("storage", "local (default) or blob (Azure Blob storage)", "KIND", $"{StorageSettings.Section}:Provider"),
        new("storage-connection-string", "Azure Storage connection string for blob storage", "CS", $"{StorageSettings.Section}:ConnectionString"),
        new("container", "blob container (default checkpoints)", "NAME", $"{StorageSettings.Section}:Container"),
        new("data-dir", "data directory; local checkpoints go to DIR/checkpoints (default ./data)", "DIR", $"{StorageSettings.Section}:DataDirectory"),
        new("checkpoint-every", "checkpoint a shard every N updates", "N", $"{SiloHost.CheckpointSection}:EveryUpdates"),
        new("checkpoint-interval", "checkpoint a changed shard at least this often", "HH:MM:SS", $"{SiloHost.CheckpointSection}:Interval"),
    ];

    public async Task<int> RunAsync(CommandContext context)
    {
        using var host = Build(context.Configuration);
        try
        {
            await host.StartAsync(context.Cancellation);
        }
        catch (AddressInUseException e)
        {
            var cluster = ClusterSettings.From(context.Configuration);
            throw new UsageException($"silo port {cluster.SiloPort} or gateway port {cluster.GatewayPort} is in use ({e.Message})");
        }
        catch (DataPortInUseException e)
        {
            throw new UsageException($"{e.Message}; --data-port takes another (-1: any free port, 0: off)");
        }
        var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ParameterServer.Silo");
        log.LogInformation("{Ready}", SiloHost.Describe(context.Configuration));
        await host.WaitForShutdownAsync(context.Cancellation);
        log.LogInformation("silo stopped");
        return ExitCodes.Ok;
    }

    // Storage clients parse their connection strings while the silo is configured.
    private static IHost Build(IConfiguration configuration)
    {
        try
        {
            return SiloHost.Build(configuration);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new UsageException(e.Message);
        }
    }
}
