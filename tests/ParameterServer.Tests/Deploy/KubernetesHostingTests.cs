using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;
using ParameterServer.Host.Commands;
using ParameterServer.Host.Configuration;
using ParameterServer.Host.Silo;
using Xunit;

namespace ParameterServer.Tests.Deploy;

/// <summary>
/// The silo host's Cluster:Kubernetes switch against what Orleans Kubernetes hosting makes of a pod's environment:
/// the silo is named after its pod, advertises the pod's IP (which its data port advertises too), listens on every
/// address, takes its ids from the pod's labels and runs the agent that watches the cluster's pods. The host is built,
/// not started: no cluster is needed.
/// </summary>
public sealed class KubernetesHostingTests : IDisposable
{
    // What the StatefulSet's downward API gives a silo pod (deploy/k8s/silos/statefulset.yaml).
    private static readonly Dictionary<string, string> PodEnvironment = new()
    {
        [KubernetesHostingOptions.PodNameEnvironmentVariable] = "paramserver-silo-1",
        [KubernetesHostingOptions.PodNamespaceEnvironmentVariable] = "training",
        [KubernetesHostingOptions.PodIPEnvironmentVariable] = "10.244.1.17",
        [KubernetesHostingOptions.ServiceIdEnvironmentVariable] = "label-service",
        [KubernetesHostingOptions.ClusterIdEnvironmentVariable] = "label-cluster",
    };

    private readonly Dictionary<string, string?> _saved = PodEnvironment.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);

    // Only hosts with Kubernetes hosting read these variables, and only this class builds such hosts.
    public KubernetesHostingTests()
    {
        foreach (var (name, value) in PodEnvironment)
            Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
            Environment.SetEnvironmentVariable(name, value);
    }

    [Fact]
    public void The_switch_names_the_silo_after_its_pod_advertises_the_pod_ip_and_takes_the_ids_of_the_pod_labels()
    {
        var builder = SiloHost.CreateBuilder(Configuration(kubernetes: true));
        using var host = builder.Build();

        var endpoints = Options<EndpointOptions>(host);
        Assert.Equal(IPAddress.Parse("10.244.1.17"), endpoints.AdvertisedIPAddress);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 11112), endpoints.SiloListeningEndpoint);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 30001), endpoints.GatewayListeningEndpoint);
        // The data port advertises the silo's address: clients reach the pod IP.
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.244.1.17"), 11112), host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.Endpoint);
        Assert.Equal("paramserver-silo-1", Options<SiloOptions>(host).SiloName);
        Assert.Equal(("label-service", "label-cluster"), (Options<ClusterOptions>(host).ServiceId, Options<ClusterOptions>(host).ClusterId));
        Assert.True(RunsKubernetesAgent(builder));
    }

    [Fact]
    public void Without_the_switch_the_silo_ignores_the_pod_and_runs_no_kubernetes_agent()
    {
        var builder = SiloHost.CreateBuilder(Configuration(kubernetes: false));
        using var host = builder.Build();

        Assert.NotEqual(IPAddress.Parse("10.244.1.17"), Options<EndpointOptions>(host).AdvertisedIPAddress);
        Assert.NotEqual("paramserver-silo-1", Options<SiloOptions>(host).SiloName);
        Assert.Equal(("config-service", "config-cluster"), (Options<ClusterOptions>(host).ServiceId, Options<ClusterOptions>(host).ClusterId));
        Assert.False(RunsKubernetesAgent(builder));
    }

    [Fact]
    public void An_advertised_address_of_the_configuration_overrides_the_pod_ip()
    {
        using var host = SiloHost.Build(Configuration(kubernetes: true, ("Cluster:AdvertisedAddress", "192.168.7.7")));

        Assert.Equal(IPAddress.Parse("192.168.7.7"), Options<EndpointOptions>(host).AdvertisedIPAddress);
    }

    [Fact]
    public void The_switch_without_azure_clustering_is_a_usage_error()
    {
        var error = Assert.Throws<UsageException>(() => SiloHost.Build(Configuration(kubernetes: true, ("Cluster:Clustering", "localhost"))));

        Assert.Contains("Cluster:Kubernetes needs azure clustering", error.Message);
    }

    /// <summary>Azure clustering on Azurite's well-known development account (never contacted: the host is not started).</summary>
    private static IConfiguration Configuration(bool kubernetes, params (string Key, string Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"{ClusterSettings.Section}:{nameof(ClusterSettings.Kubernetes)}"] = kubernetes ? "true" : "false",
            ["Cluster:Clustering"] = "azure",
            ["Cluster:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Cluster:ServiceId"] = "config-service",
            ["Cluster:ClusterId"] = "config-cluster",
            ["Cluster:SiloPort"] = "11112",
            ["Cluster:GatewayPort"] = "30001",
            ["DataPlane:Port"] = "0",
            ["Storage:DataDirectory"] = Path.GetTempPath(),
        };
        foreach (var (key, value) in overrides)
            settings[key] = value;
        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }

    private static T Options<T>(IHost host) where T : class => host.Services.GetRequiredService<IOptions<T>>().Value;

    // The agent that labels the silo's pod and declares the silos of deleted pods dead. Registered, not created: it
    // would connect to the Kubernetes API as it is constructed.
    private static bool RunsKubernetesAgent(HostApplicationBuilder builder) =>
        builder.Services.Any(d => d.ServiceType == typeof(ILifecycleParticipant<ISiloLifecycle>) && d.ImplementationType == typeof(KubernetesClusterAgent));
}
