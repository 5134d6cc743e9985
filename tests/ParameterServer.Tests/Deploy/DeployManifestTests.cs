using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.Configuration;
using Orleans.Hosting.Kubernetes;
using ParameterServer.Client;
using ParameterServer.Host.Commands;
using ParameterServer.Host.Configuration;
using Xunit;
using Xunit.Sdk;
using YamlDotNet.RepresentationModel;

namespace ParameterServer.Tests.Deploy;

/// <summary>
/// The deployment files in deploy/ against the code they deploy: every YAML document under deploy/k8s parses, and
/// the ports, configuration keys, labels, Secret keys, worker options and executables they name are the ones that
/// appsettings.json, the host's settings classes, psworker's TrainArguments and the projects define. Neither Docker
/// nor a Kubernetes cluster is needed; `kubectl kustomize`, where kubectl is on the PATH, renders the GPU overlay.
/// </summary>
public sealed class DeployManifestTests
{
    private static readonly string Root = FindRoot();
    private static readonly string K8s = Path.Combine(Root, "deploy", "k8s");

    // What UseKubernetesHosting reads, by the names the package defines.
    private static readonly string[] KubernetesHostingVariables =
    [
        KubernetesHostingOptions.PodNameEnvironmentVariable, KubernetesHostingOptions.PodNamespaceEnvironmentVariable,
        KubernetesHostingOptions.PodIPEnvironmentVariable, KubernetesHostingOptions.ServiceIdEnvironmentVariable,
        KubernetesHostingOptions.ClusterIdEnvironmentVariable,
    ];
    private const string ServiceIdLabel = KubernetesHostingOptions.ServiceIdLabel;
    private const string ClusterIdLabel = KubernetesHostingOptions.ClusterIdLabel;

    // The verbs of the example role that Orleans Kubernetes hosting 10.4.2 logs when it is refused.
    private static readonly string[] PodVerbs = ["get", "list", "watch", "patch"];

    private static readonly Dictionary<string, Type> SettingsSections = new()
    {
        [ClusterSettings.Section] = typeof(ClusterSettings),
        [StorageSettings.Section] = typeof(StorageSettings),
        [DataPlaneSettings.Section] = typeof(DataPlaneSettings),
    };

    [Fact]
    public void Every_yaml_document_under_deploy_k8s_is_a_named_object_and_every_kustomization_lists_its_folder()
    {
        var files = Directory.GetFiles(K8s, "*.yaml", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var documents = Load(file);
            Assert.True(documents.Count > 0, $"{file}: no YAML document");
            foreach (var document in documents)
            {
                Assert.NotEmpty(Text(At(document, "apiVersion")));
                if (Text(At(document, "kind")) == "Kustomization") AssertKustomization(file, document);
                else Assert.NotEmpty(Text(At(document, "metadata", "name")));
            }
        }
    }

    [Fact]
    public void Silo_ports_probes_service_and_image_agree_with_the_host_configuration()
    {
        var cluster = ClusterSettings.From(SiloConfiguration());
        var dataPort = DataPlaneSettings.From(SiloConfiguration()).Port;
        var ports = Items(At(SiloContainer(), "ports")).ToDictionary(p => Text(At(p, "name")), p => int.Parse(Text(At(p, "containerPort"))));
        var service = Resource("silos/service.yaml", "Service");
        var servicePorts = Items(At(service, "spec", "ports")).ToDictionary(p => Text(At(p, "name")));

        Assert.Equal(new Dictionary<string, int> { ["silo"] = cluster.SiloPort, ["gateway"] = cluster.GatewayPort, ["data"] = dataPort }, ports);
        foreach (var (name, port) in ports)
        {
            Assert.Equal(port.ToString(), Text(At(servicePorts[name], "port")));
            Assert.Equal(name, Text(At(servicePorts[name], "targetPort")));
        }
        Assert.Equal(ports.Count, servicePorts.Count);
        foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
            Assert.Equal("gateway", Text(At(SiloContainer(), probe, "tcpSocket", "port")));
        var exposed = Dockerfile("silo.Dockerfile").Single(l => l.StartsWith("EXPOSE ", StringComparison.Ordinal))["EXPOSE ".Length..];
        Assert.Equal(new[] { cluster.SiloPort, cluster.GatewayPort, dataPort }.Order(), exposed.Split(' ').Select(int.Parse).Order());
    }

    [Fact]
    public void Silo_environment_variables_are_configuration_keys_of_the_host_or_read_by_kubernetes_hosting()
    {
        var names = Items(At(SiloContainer(), "env")).Select(v => Text(At(v, "name"))).ToList();
        var dockerNames = Dockerfile("silo.Dockerfile").Where(l => l.StartsWith("ENV ", StringComparison.Ordinal)).Select(l => l[4..].Split('=')[0]);

        foreach (var name in names.Concat(dockerNames).Where(n => n.StartsWith(HostConfiguration.EnvironmentPrefix, StringComparison.Ordinal)))
        {
            var key = ConfigurationKey(name).Split(':');
            Assert.True(key.Length == 2 && SettingsSections.ContainsKey(key[0]), $"{name}: not a key of the {string.Join(" or ", SettingsSections.Keys)} section");
            Assert.True(SettingsSections[key[0]].GetProperty(key[1]) is not null, $"{name}: {key[0]} has no key {key[1]}");
        }
        Assert.Equal(KubernetesHostingVariables.Order(), names.Where(n => !n.StartsWith(HostConfiguration.EnvironmentPrefix, StringComparison.Ordinal)).Order());
    }

    [Fact]
    public void Silos_cluster_on_azure_tables_with_kubernetes_hosting_and_checkpoint_to_blobs_with_the_ids_of_their_pod_labels()
    {
        var configuration = SiloConfiguration();
        var cluster = ClusterSettings.From(configuration);
        var storage = StorageSettings.From(configuration);
        var labels = At(StatefulSet(), "spec", "template", "metadata", "labels");
        var env = At(SiloContainer(), "env");

        Assert.Equal(ClusteringKind.Azure, cluster.Clustering);
        Assert.True(cluster.Kubernetes, "the silos do not turn Orleans Kubernetes hosting on");
        Assert.Equal(StorageKind.Blob, storage.Provider);
        Assert.Equal("secret:paramserver-storage/connection-string", cluster.ConnectionString);
        Assert.Equal(cluster.ConnectionString, storage.ConnectionString);
        Assert.Equal(Text(At(labels, ServiceIdLabel)), cluster.ServiceId);
        Assert.Equal(Text(At(labels, ClusterIdLabel)), cluster.ClusterId);
        // Orleans Kubernetes hosting takes the same ids, from the same labels, and the pod's name and IP from the downward API.
        Assert.Equal($"metadata.labels['{ServiceIdLabel}']", FieldPath(env, KubernetesHostingOptions.ServiceIdEnvironmentVariable));
        Assert.Equal($"metadata.labels['{ClusterIdLabel}']", FieldPath(env, KubernetesHostingOptions.ClusterIdEnvironmentVariable));
        Assert.Equal("metadata.name", FieldPath(env, KubernetesHostingOptions.PodNameEnvironmentVariable));
        Assert.Equal("metadata.namespace", FieldPath(env, KubernetesHostingOptions.PodNamespaceEnvironmentVariable));
        Assert.Equal("status.podIP", FieldPath(env, KubernetesHostingOptions.PodIPEnvironmentVariable));
    }

    [Fact]
    public void Every_secret_reference_names_a_key_of_the_secret_template()
    {
        var secret = Resource("storage-secret.yaml", "Secret");
        var keys = ((YamlMappingNode)At(secret, "stringData")).Children.Keys.Select(Text).ToHashSet();
        var references = Directory.GetFiles(K8s, "*.yaml", SearchOption.AllDirectories)
            .SelectMany(Load).SelectMany(d => Descendants(d, "secretKeyRef")).ToList();

        Assert.NotEmpty(references);
        foreach (var reference in references)
        {
            Assert.Equal(Text(At(secret, "metadata", "name")), Text(At(reference, "name")));
            Assert.Contains(Text(At(reference, "key")), keys);
        }
    }

    [Fact]
    public void The_headless_service_and_the_statefulset_select_the_silo_pods_labelled_for_orleans()
    {
        var service = Resource("silos/service.yaml", "Service");
        var statefulSet = StatefulSet();
        var podLabels = Pairs(At(statefulSet, "spec", "template", "metadata", "labels"));

        Assert.Equal("None", Text(At(service, "spec", "clusterIP")));
        Assert.Equal(Text(At(service, "metadata", "name")), Text(At(statefulSet, "spec", "serviceName")));
        Assert.Subset(podLabels, Pairs(At(service, "spec", "selector")));
        Assert.Subset(podLabels, Pairs(At(statefulSet, "spec", "selector", "matchLabels")));
        Assert.Contains(ServiceIdLabel, podLabels.Select(l => l.Key));
        Assert.Contains(ClusterIdLabel, podLabels.Select(l => l.Key));
    }

    [Fact]
    public void The_silo_service_account_is_bound_to_a_role_that_reads_and_watches_pods()
    {
        var account = Text(At(StatefulSet(), "spec", "template", "spec", "serviceAccountName"));
        var role = Resource("silos/rbac.yaml", "Role");
        var binding = Resource("silos/rbac.yaml", "RoleBinding");
        var podRule = Items(At(role, "rules")).Single(r => Strings(At(r, "resources")).Contains("pods"));

        Assert.Equal(account, Text(At(Resource("silos/rbac.yaml", "ServiceAccount"), "metadata", "name")));
        var subject = Items(At(binding, "subjects")).Single();
        Assert.Equal(("ServiceAccount", account), (Text(At(subject, "kind")), Text(At(subject, "name"))));
        Assert.Equal(("Role", Text(At(role, "metadata", "name"))), (Text(At(binding, "roleRef", "kind")), Text(At(binding, "roleRef", "name"))));
        Assert.Equal(new[] { "" }, Strings(At(podRule, "apiGroups")));
        Assert.Subset(Strings(At(podRule, "verbs")).ToHashSet(), PodVerbs.ToHashSet());
    }

    [Fact]
    public void The_worker_job_runs_one_indexed_worker_per_partition_with_every_train_option()
    {
        var job = Resource("workers/job.yaml", "Job");
        var container = Items(At(job, "spec", "template", "spec", "containers")).Single();
        var options = Options(Strings(At(container, "args")));
        var envNames = Items(At(container, "env")).Select(v => Text(At(v, "name"))).ToHashSet();

        Assert.Equal(TrainOptionNames().Order(), options.Keys.Order());
        Assert.Equal("Indexed", Text(At(job, "spec", "completionMode")));
        Assert.Equal(options["--workers"], Text(At(job, "spec", "completions")));
        Assert.Equal(options["--workers"], Text(At(job, "spec", "parallelism")));
        Assert.Equal("$(JOB_COMPLETION_INDEX)", options["--worker-index"]);
        Assert.Equal(ClusterSettings.From(SiloConfiguration()).GatewayPort.ToString(), options["--gateway-port"]);
        Assert.Contains(options["--data"], Items(At(container, "volumeMounts")).Select(m => Text(At(m, "mountPath"))));
        // Each variable of the container is there to be expanded in its arguments.
        Assert.Equal(envNames.Order(), options.Values.Select(v => Regex.Match(v, @"^\$\((\w+)\)$").Groups[1].Value)
            .Where(v => v is not ("" or "JOB_COMPLETION_INDEX")).Order());
    }

    [Fact]
    public void The_gpu_overlay_gives_each_worker_one_gpu_the_cuda_device_and_the_cuda_image()
    {
        var job = Resource("workers/job.yaml", "Job");
        var patch = Resource("workers-gpu/gpu.yaml", "Job");
        var kustomization = Resource("workers-gpu/kustomization.yaml", "Kustomization");
        var patchContainer = Items(At(patch, "spec", "template", "spec", "containers")).Single();
        var jobContainer = ByName(At(job, "spec", "template", "spec", "containers"), Text(At(patchContainer, "name")));
        var jobEnv = Items(At(jobContainer, "env")).Select(v => Text(At(v, "name"))).ToHashSet();
        var image = Items(At(kustomization, "images")).Single();

        Assert.Equal(Text(At(job, "metadata", "name")), Text(At(patch, "metadata", "name")));
        Assert.Equal("1", Text(At(patchContainer, "resources", "limits", "nvidia.com/gpu")));
        // The patch replaces the value of a variable the Job has and passes as --device; it adds none.
        foreach (var variable in Items(At(patchContainer, "env")))
            Assert.Contains(Text(At(variable, "name")), jobEnv);
        var device = Options(Strings(At(jobContainer, "args")))["--device"];
        Assert.Matches(@"^cuda:\d+$", Text(At(ByName(At(patchContainer, "env"), device[2..^1]), "value")));
        Assert.Equal(Text(At(jobContainer, "image")), Text(At(image, "name")));
        Assert.Contains($"AS {Text(At(image, "newTag"))}", Dockerfile("worker.Dockerfile").Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).Select(l => l.Split(' ', 3)[2]));
    }

    [SkippableFact]
    public void Kubectl_kustomize_renders_the_gpu_overlay_into_the_worker_job_on_a_gpu()
    {
        var kubectl = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists);
        Skip.If(kubectl is null, "kubectl is not on the PATH: the overlay is only checked statically");

        using var process = Process.Start(new ProcessStartInfo(kubectl!, ["kustomize", Path.Combine(K8s, "workers-gpu")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new XunitException("kubectl kustomize did not finish within 60 s");
        }
        Assert.True(process.ExitCode == 0, $"kubectl kustomize failed: {error.Result}");
        var rendered = Parse(output.Result).Single();
        var container = Items(At(rendered, "spec", "template", "spec", "containers")).Single();

        Assert.Equal("Job", Text(At(rendered, "kind")));
        Assert.EndsWith(":cuda", Text(At(container, "image")));
        Assert.Equal("cuda:0", Text(At(Items(At(container, "env")).Single(e => Text(At(e, "name")) == "WORKER_DEVICE"), "value")));
        Assert.Equal("1", Text(At(container, "resources", "limits", "nvidia.com/gpu")));
        Assert.Equal("2", Text(At(container, "resources", "requests", "cpu")));
    }

    [Fact]
    public void The_silo_image_runs_the_silo_command_of_the_executable_its_project_builds()
    {
        Assert.Equal(new[] { new[] { PublishedExecutable("silo.Dockerfile"), new SiloCommand().Name } }, EntryPoints("silo.Dockerfile"));
    }

    [Fact]
    public void Both_worker_images_run_train_on_the_executable_its_project_builds()
    {
        var train = new[] { PublishedExecutable("worker.Dockerfile"), "train" };
        // One entry point per final stage: cuda and cpu.
        Assert.Equal(new[] { train, train }, EntryPoints("worker.Dockerfile"));
    }

    private static void AssertKustomization(string file, YamlNode kustomization)
    {
        var folder = Path.GetDirectoryName(file)!;
        var listed = new HashSet<string>();
        foreach (var resource in Strings(At(kustomization, "resources")))
        {
            var path = Path.GetFullPath(Path.Combine(folder, resource));
            Assert.True(File.Exists(path) || File.Exists(Path.Combine(path, "kustomization.yaml")), $"{file}: resource {resource} does not exist");
            listed.Add(path);
        }
        if (Optional(kustomization, "patches") is { } patches)
            foreach (var patch in Items(patches))
            {
                var path = Path.GetFullPath(Path.Combine(folder, Text(At(patch, "path"))));
                Assert.True(File.Exists(path), $"{file}: patch {path} does not exist");
                listed.Add(path);
            }
        // Nothing in the folder is left out of what kubectl apply -k applies.
        Assert.Subset(listed, Directory.GetFiles(folder, "*.yaml").Where(f => f != file).ToHashSet());
    }

    /// <summary>What the silo pod's host reads: appsettings.json, then the container's PS_ variables. A Secret's value reads "secret:NAME/KEY".</summary>
    private static IConfiguration SiloConfiguration()
    {
        var labels = At(StatefulSet(), "spec", "template", "metadata", "labels");
        var variables = Items(At(SiloContainer(), "env"))
            .Where(v => Text(At(v, "name")).StartsWith(HostConfiguration.EnvironmentPrefix, StringComparison.Ordinal))
            .ToDictionary(v => ConfigurationKey(Text(At(v, "name"))), v => (string?)Value(v, labels));
        return new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Root, "src", "ParameterServer", "Host", "appsettings.json"))
            .AddInMemoryCollection(variables)
            .Build();
    }

    private static string Value(YamlNode variable, YamlNode labels)
    {
        if (Optional(variable, "value") is { } value) return Text(value);
        if (Optional(At(variable, "valueFrom"), "secretKeyRef") is { } secret)
            return $"secret:{Text(At(secret, "name"))}/{Text(At(secret, "key"))}";
        var field = Text(At(variable, "valueFrom", "fieldRef", "fieldPath"));
        var label = Regex.Match(field, @"^metadata\.labels\['(.+)'\]$");
        Assert.True(label.Success, $"{Text(At(variable, "name"))}: {field} is no configuration value");
        return Text(At(labels, label.Groups[1].Value));
    }

    // The environment variable provider's mapping: PS_Cluster__GatewayPort is Cluster:GatewayPort.
    private static string ConfigurationKey(string variable) => variable[HostConfiguration.EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal);

    /// <summary>The options psworker train requires, from the names TrainArguments.Parse accepts.</summary>
    private static IEnumerable<string> TrainOptionNames()
    {
        var source = File.ReadAllText(Path.Combine(Root, "src", "GpuWorkers", "WorkerHost", "Cli", "TrainArguments.cs"));
        var names = Regex.Match(source, @"_names\s*=\s*\[(.*?)\];", RegexOptions.Singleline);
        Assert.True(names.Success, "TrainArguments.cs no longer lists its option names in _names");
        return Regex.Matches(names.Groups[1].Value, "\"(--[a-z-]+)\"").Select(m => m.Groups[1].Value);
    }

    private static Dictionary<string, string> Options(IReadOnlyList<string> args)
    {
        Assert.True(args.Count % 2 == 0, "the arguments are not option-value pairs");
        return Enumerable.Range(0, args.Count / 2).ToDictionary(i => args[2 * i], i => args[2 * i + 1]);
    }

    private static string PublishedExecutable(string dockerfile)
    {
        var publish = Dockerfile(dockerfile).Select(l => Regex.Match(l, @"dotnet publish (\S+\.csproj)\b.*\s-o (\S+)")).Single(m => m.Success);
        var assemblyName = XDocument.Load(Path.Combine(Root, publish.Groups[1].Value)).Descendants("AssemblyName").Single().Value;
        return $"{publish.Groups[2].Value}/{assemblyName}";
    }

    private static List<string[]> EntryPoints(string dockerfile) =>
        Dockerfile(dockerfile).Where(l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))
            .Select(l => JsonSerializer.Deserialize<string[]>(l["ENTRYPOINT ".Length..])!).ToList();

    private static string[] Dockerfile(string name) => File.ReadAllLines(Path.Combine(Root, "deploy", name));

    private static YamlMappingNode StatefulSet() => Resource("silos/statefulset.yaml", "StatefulSet");

    private static YamlNode SiloContainer() => ByName(At(StatefulSet(), "spec", "template", "spec", "containers"), "silo");

    private static YamlMappingNode Resource(string file, string kind) => Load(Path.Combine(K8s, file)).Single(d => Text(At(d, "kind")) == kind);

    private static List<YamlMappingNode> Load(string path) => Parse(File.ReadAllText(path));

    private static List<YamlMappingNode> Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => Assert.IsType<YamlMappingNode>(d.RootNode)).ToList();
    }

    private static YamlNode At(YamlNode node, params string[] keys)
    {
        foreach (var key in keys)
            node = Optional(node, key) ?? throw new XunitException($"no '{key}' at {node.Start}");
        return node;
    }

    private static YamlNode? Optional(YamlNode node, string key) =>
        Assert.IsType<YamlMappingNode>(node).Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string Text(YamlNode node) => Assert.IsType<YamlScalarNode>(node).Value ?? "";

    private static IEnumerable<YamlNode> Items(YamlNode node) => Assert.IsType<YamlSequenceNode>(node).Children;

    private static List<string> Strings(YamlNode node) => Items(node).Select(Text).ToList();

    private static HashSet<KeyValuePair<string, string>> Pairs(YamlNode node) =>
        Assert.IsType<YamlMappingNode>(node).Children.Select(p => KeyValuePair.Create(Text(p.Key), Text(p.Value))).ToHashSet();

    private static string FieldPath(YamlNode env, string variable) => Text(At(ByName(env, variable), "valueFrom", "fieldRef", "fieldPath"));

    private static YamlNode ByName(YamlNode sequence, string name) => Items(sequence).Single(i => Text(At(i, "name")) == name);

    /// <summary>Every value under a key of that name, at any depth.</summary>
    private static IEnumerable<YamlNode> Descendants(YamlNode node, string key) => node switch
    {
        YamlMappingNode map => map.Children.SelectMany(p => (p.Key is YamlScalarNode { Value: var k } && k == key ? [p.Value] : Enumerable.Empty<YamlNode>()).Concat(Descendants(p.Value, key))),
        YamlSequenceNode sequence => sequence.Children.SelectMany(c => Descendants(c, key)),
        _ => [],
    };

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "ParameterServer.sln"))) return directory.FullName;
        throw new InvalidOperationException($"no ParameterServer.sln above {AppContext.BaseDirectory}");
    }
}
