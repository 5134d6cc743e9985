using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Tests.Processes;
using Xunit;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// The local-directory store end to end: a silo process is killed, the newest checkpoint file of a shard is damaged on
/// disk, and the silo started again detects it (checksum) and serves the shard from the previous checkpoint.
/// </summary>
[Collection(ProcessCollection.Name)]
[Trait("Category", ProcessCollection.Category)]
public sealed class LocalCheckpointRecoveryTests : IDisposable
{
    // One shard of zeros under SGD with lr 1: after v pushes of g = 1/1024 every value is exactly -v/1024.
    private static readonly TableSpec Table = new() { Name = "w", Rows = 4, Cols = 8, Optimizer = OptimizerSpec.Sgd(1f) };
    private static readonly float[] Gradient = Enumerable.Repeat(1f / 1024, 32).ToArray();

    private readonly string _directory = Directory.CreateTempSubdirectory("ps-local-recovery-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("truncated")]
    [InlineData("bit-flipped")]
    public async Task A_damaged_checkpoint_file_is_refused_after_a_restart_and_the_previous_checkpoint_is_served(string damage)
    {
        var spec = new ModelSpec { Name = $"recover-{damage}", Consistency = ConsistencySpec.Async, Tables = [Table] };
        // Checkpoints only on demand, so the test knows which versions the files hold.
        var clusterId = $"ps-{Guid.NewGuid():N}";
        string[] options = ["--cluster-id", clusterId, "--data-dir", Path.Combine(_directory, "data"),
            "--checkpoint-every", "1000000", "--checkpoint-interval", "01:00:00"];
        await using (var first = await SiloProcess.StartAsync(_directory, "silo-1", options))
        {
            await using var client = await Connect(first, clusterId);
            var model = await client.CreateModelAsync(spec);
            await Push(model, times: 3);
            await model.CheckpointAsync(); // the previous checkpoint: version 3
            await Push(model, times: 2);
            await model.CheckpointAsync(); // the current one: version 5
            first.Kill();
        }

        var checkpoints = Path.Combine(_directory, "data", "checkpoints");
        var current = Assert.Single(Directory.GetFiles(checkpoints, "shard-*.ckpt"), f => f.Contains(spec.Name, StringComparison.Ordinal));
        Assert.True(File.Exists(current + ".prev"));
        Damage(current, damage);

        await using var second = await SiloProcess.StartAsync(_directory, "silo-2", options);
        await using var restarted = await Connect(second, clusterId);
        var info = await restarted.Grains.GetGrain<IShardGrain>(TableLayout.ShardKey(spec.Name, "w", 0)).GetInfo();
        var values = new float[Table.Elements];
        await (await restarted.OpenModelAsync(spec.Name)).PullAsync("w", values);

        Assert.Equal((3, 3), (info.Version, info.CheckpointedVersion));
        Assert.All(values, v => Assert.Equal(-3f / 1024, v));
        Assert.Contains("skipping damaged checkpoint", second.Output);
    }

    private static Task<ParameterServerClient> Connect(SiloProcess silo, string clusterId) =>
        ParameterServerClient.ConnectAsync(new ConnectionOptions { GatewayPort = silo.GatewayPort, ClusterId = clusterId, ConnectTimeout = TimeSpan.FromSeconds(60) });

    private static async Task Push(ModelHandle model, int times)
    {
        for (var i = 0; i < times; i++)
            await model.PushAsync("w", Gradient);
    }

    private static void Damage(string path, string damage)
    {
        var bytes = File.ReadAllBytes(path);
        if (damage == "truncated")
        {
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            return;
        }
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
    }
}
