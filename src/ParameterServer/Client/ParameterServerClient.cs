using System.Diagnostics;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using ParameterServer.Client.DataPlane;
using ParameterServer.Client.Hosting;
using ParameterServer.Contracts;

namespace ParameterServer.Client;

/// <summary>
/// The entry point of the client API: connects to a cluster, creates and opens models, lists them.
/// Dispose it to close the connection and the data plane's lanes it opened.
/// </summary>
/// <example><c>await using var client = await ParameterServerClient.ConnectAsync(new ConnectionOptions());</c></example>
public sealed class ParameterServerClient : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly IHost? _host;
    private readonly ShardLanes? _lanes;

    /// <summary>
    /// A client over grains reached another way (a TestCluster's client, or inside a silo), moving every byte in grain
    /// calls; disposing it leaves the grains alone.
    /// </summary>
    /// <example><c>var client = new ParameterServerClient(cluster.Client);</c></example>
    public ParameterServerClient(IGrainFactory grains) : this(grains, DataPlaneOptions.Off)
    {
    }

    /// <summary>A client over grains reached another way, on the silos' data ports as <paramref name="dataPlane"/> says.</summary>
    /// <example><c>await using var client = new ParameterServerClient(cluster.Client, new DataPlaneOptions { LanesPerSilo = 2 });</c></example>
    public ParameterServerClient(IGrainFactory grains, DataPlaneOptions dataPlane)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(dataPlane);
        dataPlane.Validate();
        Grains = grains;
        _lanes = dataPlane.Enabled ? new ShardLanes(dataPlane) : null;
    }

    private ParameterServerClient(IHost host, DataPlaneOptions dataPlane) : this(host.Services.GetRequiredService<IClusterClient>(), dataPlane) => _host = host;

    /// <summary>The grain factory the client calls, for grain calls the API does not wrap.</summary>
    /// <example><c>var shard = client.Grains.GetGrain&lt;IShardGrain&gt;("mnist/fc1/0");</c></example>
    public IGrainFactory Grains { get; }

    /// <summary>
    /// Connects to a cluster, retrying until <see cref="ConnectionOptions.ConnectTimeout"/>; throws
    /// <see cref="ParameterServerException"/> with <see cref="ErrorCode.Unavailable"/> when no gateway answered by then.
    /// </summary>
    /// <example><c>await using var client = await ParameterServerClient.ConnectAsync(new ConnectionOptions { GatewayPort = 30000 });</c></example>
    public static async Task<ParameterServerClient> ConnectAsync(ConnectionOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var started = Stopwatch.GetTimestamp();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<IHostLifetime, ClientHostLifetime>();
        builder.UseOrleansClient(client =>
        {
            if (options.Clustering == ClusteringKind.Azure)
            {
                client.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(options.ConnectionString));
                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, options.ServiceId));
            }
            else
            {
                client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
            }
            client.UseConnectionRetryFilter(async (_, token) =>
            {
                if (Stopwatch.GetElapsedTime(started) + RetryDelay >= options.ConnectTimeout)
                    return false;
                await Task.Delay(RetryDelay, token);
                return true;
            });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = options.ResponseTimeout);
            client.AddMessageSizeLimit();
        });
        var host = builder.Build();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.ConnectTimeout);
        try
        {
            await host.StartAsync(deadline.Token);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            host.Dispose();
            throw new ParameterServerException(ErrorCode.Unavailable,
                $"cannot reach the parameter server at {options.Describe()} within {options.ConnectTimeout.TotalSeconds:0.#} s ({FirstLine(e.Message)})", e);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new ParameterServerClient(host, options.DataPlane);
    }

    /// <summary>
    /// Creates a model and its shards from a spec (checked here first); with an existing model of the same spec it
    /// is a no-op, with a different spec <see cref="ErrorCode.SpecMismatch"/>.
    /// </summary>
    /// <example><c>var model = await client.CreateModelAsync(new ModelSpec { Name = "mnist", Tables = [new TableSpec { Name = "fc1", Rows = 128, Cols = 784 }] });</c></example>
    public async Task<ModelHandle> CreateModelAsync(ModelSpec spec, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        await TransientRetry.RunAsync(() => Grains.GetGrain<IModelGrain>(spec.Name).Create(spec), ct);
        return new ModelHandle(Grains, spec, _lanes);
    }

    /// <summary>Opens an existing model; <see cref="ErrorCode.UnknownModel"/> when there is none of that name.</summary>
    /// <example><c>var model = await client.OpenModelAsync("mnist");</c></example>
    public async Task<ModelHandle> OpenModelAsync(string name, CancellationToken ct = default)
    {
        Names.Validate(name, "model");
        var spec = await TransientRetry.RunAsync(() => Grains.GetGrain<IModelGrain>(name).GetSpec(), ct);
        return new ModelHandle(Grains, spec, _lanes);
    }

    /// <summary>The names of every model of the cluster.</summary>
    /// <example><c>foreach (var name in await client.ListModelsAsync()) Console.WriteLine(name);</c></example>
    public Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken ct = default) =>
        Grains.GetGrain<IModelDirectoryGrain>(0).List().WaitAsync(ct);

    /// <summary>Closes the lanes and the connection this client opened; the grain factory a client was given stays open.</summary>
    /// <example><c>await client.DisposeAsync();</c></example>
    public async ValueTask DisposeAsync()
    {
        _lanes?.Dispose();
        if (_host is null)
            return;
        await _host.StopAsync();
        _host.Dispose();
    }

    private static string FirstLine(string message)
    {
        var end = message.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? message : message[..end];
    }
}
