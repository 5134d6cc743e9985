using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Core.Internal;
using Orleans.Runtime.Hosting;
using ParameterServer.Contracts;
using ParameterServer.Grains.Hosting;
using ParameterServer.Grains.Storage;
using ParameterServer.Tests.Client;
using ParameterServer.Tests.Faults;
using ParameterServer.Tests.Storage;
using Xunit;

namespace ParameterServer.Tests.Cluster;

/// <summary>
/// A shard loses its activation and every update after its last checkpoint, as when its silo dies (here the checkpoint
/// on deactivation fails: the store is down). Sent again, a push the checkpoint holds is answered as the first time and
/// not applied; one the shard lost is applied, once.
/// </summary>
public sealed class RepeatedPushAfterLossTests : IAsyncLifetime
{
    // Shard 1's rows of SgdTable's gradient, g = [0.5, 0.75, -1, 3]; each SGD step takes w -= 0.5 g.
    private static readonly float[] G = SgdTable.Gradient[8..];

    private readonly string _directory = Directory.CreateTempSubdirectory("ps-repeat-after-loss-").FullName;
    private FaultyCheckpointStorage _store = null!;
    private SiloWithCheckpointStorage _silo = null!;

    public async Task InitializeAsync()
    {
        var local = new LocalDirectoryGrainStorage(StorageNames.Checkpoints, new LocalCheckpointStorageOptions { Directory = _directory },
            new CheckpointSerializer(), NullLogger<LocalDirectoryGrainStorage>.Instance);
        _store = new FaultyCheckpointStorage(local);
        _silo = await SiloWithCheckpointStorage.StartAsync(silo =>
        {
            // Checkpoints every second update and on deactivation, never on the interval within the test.
            silo.AddParameterServerGrains(p => (p.EveryUpdates, p.Interval) = (2, TimeSpan.FromMinutes(10)));
            silo.Services.AddGrainStorage(StorageNames.Checkpoints, (_, _) => _store);
        });
    }

    public async Task DisposeAsync()
    {
        _store.Current = FaultyCheckpointStorage.Mode.Up;
        await _silo.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Pushes_the_checkpoint_holds_are_answered_and_one_lost_after_it_is_applied_again()
    {
        var spec = SgdTable.Model("after-loss", ConsistencySpec.Async);
        await _silo.Grains.GetGrain<IModelGrain>(spec.Name).Create(spec);
        var shard = _silo.Grains.Shard(spec.Name, "w", 1);
        var writer = Guid.NewGuid();
        var a = new PushRequest { Id = new PushId(writer, 1), RowCount = 2, Payload = PayloadCodec.Encode(G, TensorEncoding.Fp32) };
        var b = a with { Id = new PushId(writer, 2) };
        var c = a with { Id = new PushId(writer, 3) };
        await shard.Push(a);
        // The second update starts a checkpoint in the push's own turn: it must hold b's record with b's update.
        await shard.Push(b);
        await CheckpointedAt(shard, 2);
        await shard.Push(c); // applied at version 3, then lost with the activation

        await LoseActivation(shard);
        var cAgain = await shard.Push(c);
        var bAgain = await shard.Push(b);
        var aAgain = await shard.Push(a);

        // c: taken anew by the activation restored at version 2. a and b: answered as the first time.
        Assert.Equal((3L, true, 2L), (cAgain.Version, cAgain.Applied, cAgain.RestoredVersion));
        Assert.Equal((1L, true, 2L, true), (aAgain.Version, aAgain.Applied, bAgain.Version, bAgain.Applied));
        // Three SGD steps in all: w = 1 - 3 * 0.5 g = 1 - 1.5 g.
        var reply = await shard.Pull(new PullRequest { RowCount = 2 });
        var values = new float[4];
        PayloadCodec.Decode(reply!.Payload, TensorEncoding.Fp32, values);
        Assert.Equal([0.25f, -0.125f, 2.5f, -3.5f], values);
        Assert.Equal(3, (await shard.GetInfo()).Version);
    }

    private static async Task CheckpointedAt(IShardGrain shard, long version)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((await shard.GetInfo()).CheckpointedVersion != version)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no checkpoint of version {version} within 10 s");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Deactivates the shard while the store is down, so its last state is never written, and waits until an
    /// activation that tries to read its checkpoint fails: the old activation is gone. The next call, with the store
    /// back, activates the shard from its last checkpoint.
    /// </summary>
    private async Task LoseActivation(IShardGrain shard)
    {
        _store.Current = FaultyCheckpointStorage.Mode.Down;
        await shard.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                await shard.GetInfo();
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "the shard kept its activation");
            await Task.Delay(50);
        }
        _store.Current = FaultyCheckpointStorage.Mode.Up;
    }
}
