using System.Globalization;
using System.Text.RegularExpressions;
using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Tests.Cluster;
using ParameterServer.Tests.Processes;
using Xunit;

namespace ParameterServer.Tests.DataPlane.Cluster;

/// <summary>
/// Two real <c>paramserver silo</c> processes in one cluster (Azure Table clustering on an Azurite of the test's own),
/// each with a data port: a client pushes and pulls a table whose shards spread over both, and the silos' own
/// accounts, logged when they stop, show that every byte crossed their data ports.
/// </summary>
[Collection(ProcessCollection.Name)]
[Trait("Category", ProcessCollection.Category)]
public sealed class SiloProcessTests : IDisposable
{
    private static readonly Regex Closed = new(@"Data port \d+ closed: \d+ lanes, (\d+) pushes \((\d+) bytes\) staged, (\d+) pulls \((\d+) bytes\) served");

    // 16 shards of one row: over two silos at random, both get some but with probability 2^-15.
    private static readonly TableSpec Table = new()
    {
        Name = "w", Rows = 16, Cols = 4, ShardRows = 1, Initializer = InitializerSpec.Constant(1f), Optimizer = OptimizerSpec.Sgd(0.5f),
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("ps-processes-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public async Task Two_silo_processes_serve_pushes_and_pulls_on_their_data_ports()
    {
        Skip.IfNot(Repository.HasAzurite, $"{Repository.Azurite} is missing: run npm ci (./test.sh does)");
        await using var azurite = await AzuriteProcess.StartAsync(_directory);
        var clusterId = $"ps-{Guid.NewGuid():N}";
        var options = SiloProcess.AzureOptions(clusterId, azurite.ConnectionString);
        await using var first = await SiloProcess.StartAsync(_directory, "silo-1", options);
        await using var second = await SiloProcess.StartAsync(_directory, "silo-2", options);
        // g_i = (i - 32) / 8 and w = 1 - 0.5 g: multiples of 1/16, exact in float32.
        var gradient = Enumerable.Range(0, 64).Select(i => (i - 32) / 8f).ToArray();
        var values = new float[64];
        string[] silos;
        await using (var client = await ParameterServerClient.ConnectAsync(SiloProcess.AzureConnection(clusterId, azurite.ConnectionString)))
        {
            await WaitForSilosAsync(client, 2);
            var model = await client.CreateModelAsync(new ModelSpec { Name = Tables.UniqueName("processes"), Tables = [Table] });
            await model.PushAsync("w", gradient);
            await model.PullAsync("w", values);
            silos = [.. (await model.GetTableStatusAsync("w")).Shards.Select(s => s.Info.Silo).Distinct()];
        }
        await Task.WhenAll(first.StopAsync(), second.StopAsync());

        Assert.Equal(gradient.Select(g => 1 - 0.5f * g), values);
        Assert.Equal(2, silos.Length);
        // Each silo staged and served its own shards' rows; together, every shard once: 16 x 4 floats of 4 bytes.
        var accounts = new[] { first, second }.Select(Account).ToArray();
        Assert.All(accounts, a => Assert.True(a.Pushes > 0 && a.Pulls > 0, $"a silo moved nothing on its data port: {a}"));
        Assert.Equal((16L, 256L, 16L, 256L), (accounts.Sum(a => a.Pushes), accounts.Sum(a => a.PushBytes), accounts.Sum(a => a.Pulls), accounts.Sum(a => a.PullBytes)));
    }

    private static async Task WaitForSilosAsync(ParameterServerClient client, int count)
    {
        var management = client.Grains.GetGrain<IManagementGrain>(0);
        for (var attempt = 0; (await management.GetHosts(onlyActive: true)).Count < count; attempt++)
        {
            Assert.True(attempt < 300, $"{count} silos did not join within 30 s");
            await Task.Delay(100);
        }
    }

    private static (long Pushes, long PushBytes, long Pulls, long PullBytes) Account(SiloProcess silo)
    {
        var match = Closed.Match(silo.Output);
        Assert.True(match.Success, $"silo {silo.Pid} logged no data port account:\n{silo.Output}");
        long At(int group) => long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
        return (At(1), At(2), At(3), At(4));
    }
}
