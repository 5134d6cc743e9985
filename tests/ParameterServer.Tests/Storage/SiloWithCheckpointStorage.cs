using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Storage;
using ParameterServer.Grains.Hosting;

namespace ParameterServer.Tests.Storage;

/// <summary>A single silo on free loopback ports, configured by a test, whose checkpoint storage tests use directly.</summary>
public sealed class SiloWithCheckpointStorage : IAsyncDisposable
{
    private readonly IHost _host;

    private SiloWithCheckpointStorage(IHost host) => _host = host;

    public IGrainStorage Storage => _host.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Checkpoints);

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public static async Task<SiloWithCheckpointStorage> StartAsync(Action<ISiloBuilder> configure)
    {
        var host = new HostBuilder()
            .UseOrleans(silo =>
            {
                silo.UseLocalhostClustering(siloPort: FreePort(), gatewayPort: FreePort(), serviceId: "checkpoint-tests", clusterId: Guid.NewGuid().ToString("N"));
                configure(silo);
            })
            .Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new SiloWithCheckpointStorage(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
