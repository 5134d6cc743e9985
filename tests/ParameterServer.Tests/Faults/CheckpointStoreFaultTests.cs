using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Core.Internal;
using Orleans.Runtime.Hosting;
using ParameterServer.Contracts;
using ParameterServer.Grains.Hosting;
using ParameterServer.Grains.Storage;
using ParameterServer.Tests.Cluster;
using ParameterServer.Tests.Storage;
using Xunit;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// A checkpoint store that goes down and comes back, or loses the answer to a write: pushes are served throughout,
/// failed checkpoints are retried with a doubling delay, and the shard's checkpoint catches up once the store is back.
/// </summary>
public sealed class CheckpointStoreFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMilliseconds(400);

    // One shard of zeros under SGD with lr 1: after v pushes of g = 1/1024 every value is exactly -v/1024.
    private static readonly TableSpec Table = new() { Name = "w", Rows = 4, Cols = 8, Optimizer = OptimizerSpec.Sgd(1f) };
    private static readonly float[] Gradient = Enumerable.Repeat(1f / 1024, 32).ToArray();

    private readonly string _directory = Directory.CreateTempSubdirectory("ps-faulty-store-").FullName;
    private FaultyCheckpointStorage _store = null!;
    private SiloWithCheckpointStorage _silo = null!;

    private IGrainFactory Grains => _silo.Grains;

    public async Task InitializeAsync()
    {
        var local = new LocalDirectoryGrainStorage(StorageNames.Checkpoints, new LocalCheckpointStorageOptions { Directory = _directory },
            new CheckpointSerializer(), NullLogger<LocalDirectoryGrainStorage>.Instance);
        _store = new FaultyCheckpointStorage(local);
        _silo = await SiloWithCheckpointStorage.StartAsync(silo =>
        {
            silo.AddParameterServerGrains(p =>
            {
                p.EveryUpdates = 2;
                p.Interval = TimeSpan.FromMilliseconds(200);
                p.RetryDelay = RetryDelay;
                p.MaxRetryDelay = MaxRetryDelay;
            });
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
    public async Task Pushes_go_on_while_the_store_is_down_retries_back_off_and_a_checkpoint_lands_once_it_is_back()
    {
        var spec = await Grains.CreateModel("storedown", ConsistencySpec.Async, Table);
        var shard = Grains.Shard(spec.Name, "w", 0);

        _store.Current = FaultyCheckpointStorage.Mode.Down;
        var writesBefore = _store.Writes;
        var outage = Stopwatch.StartNew();
        long version = 0;
        while (outage.Elapsed < TimeSpan.FromSeconds(2))
            version = (await Grains.PushTable(spec.Name, Table, Gradient))[0].Version;
        var writesWhileDown = _store.Writes - writesBefore;
        var down = await shard.GetInfo();
        _store.Current = FaultyCheckpointStorage.Mode.Up;
        var back = await PushUntil(spec.Name, shard, s => s.CheckpointFailures == 0 && s.CheckpointedVersion >= version, TimeSpan.FromSeconds(10));

        Assert.True(version > 50, $"only {version} pushes were served during the outage");
        Assert.Equal(0, down.CheckpointedVersion);
        Assert.True(down.CheckpointFailures >= 3, $"{down.CheckpointFailures} failed attempts");
        Assert.Equal("checkpoint store is down (test)", down.CheckpointError);
        // Attempts 100, 200 and 400 ms apart, then every 400 ms: at 0, 0.1, 0.3, 0.7, 1.1, 1.5 and 1.9 s, 7 within 2 s
        // (one more for scheduling slack). Without the backoff every second update would try one: hundreds.
        Assert.InRange(writesWhileDown, 3, 8);
        Assert.Null(back.CheckpointError);
        Assert.True(back.CheckpointedVersion >= version);

        // What the store holds is whole: the reactivated shard is at its checkpoint, every value -v/1024.
        await shard.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var restored = await shard.GetInfo();
        Assert.Equal(restored.CheckpointedVersion, restored.Version);
        Assert.All(await Grains.PullTable(spec.Name, Table), v => Assert.Equal(-restored.Version / 1024f, v));
    }

    [Fact]
    public async Task A_write_whose_answer_was_lost_is_confirmed_by_reading_it_back_and_later_writes_succeed()
    {
        var spec = await Grains.CreateModel("lostanswer", ConsistencySpec.Async, Table);
        var shard = Grains.Shard(spec.Name, "w", 0);
        await Grains.PushTable(spec.Name, Table, Gradient);

        _store.Current = FaultyCheckpointStorage.Mode.LoseNextAnswer;
        var first = await shard.Checkpoint();
        await Grains.PushTable(spec.Name, Table, Gradient);
        var second = await shard.Checkpoint();

        Assert.Equal((1, 2), (first, second));
        Assert.Equal(0, (await shard.GetInfo()).CheckpointFailures);
    }

    [Fact]
    public async Task A_job_whose_save_lost_its_answer_saves_again_over_what_landed()
    {
        var spec = await Grains.CreateModel("joblostanswer", ConsistencySpec.Async, Table);
        var job = Grains.GetGrain<IModelGrain>(spec.Name);
        await job.Join("w1");

        // The save of w2's join lands but its answer is lost, and the repeated request fails the ETag check; the job
        // writes over what landed, and its later saves (w1 leaving) go on.
        _store.Current = FaultyCheckpointStorage.Mode.LoseNextAnswer;
        await job.Join("w2");
        await job.Leave("w1");
        await job.AsReference<IGrainManagementExtension>().DeactivateOnIdle();

        // The job comes back with w2 alone.
        Assert.Equal(["w2"], (await job.GetStatus()).Workers.Select(w => w.WorkerId));
    }

    [Fact]
    public async Task A_job_goes_on_moving_its_clocks_while_the_save_of_its_progress_hangs()
    {
        var spec = await Grains.CreateModel("progresshang", ConsistencySpec.Async, Table);
        var job = Grains.GetGrain<IModelGrain>(spec.Name);
        await job.Join("w");

        _store.Current = FaultyCheckpointStorage.Mode.Hang;
        var writesBefore = _store.Writes;
        await job.ReportClock("w", 1);
        // The progress timer (every 200 ms) starts its save, which does not come back.
        var waited = Stopwatch.StartNew();
        while (_store.Writes == writesBefore && waited.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(10);
        var moving = Stopwatch.StartNew();
        await job.ReportClock("w", 2);
        var reached = await job.WaitForMinClock(2, TimeSpan.FromSeconds(10));
        var moved = moving.Elapsed;
        _store.Current = FaultyCheckpointStorage.Mode.Up;

        Assert.True(_store.Writes > writesBefore, "the job never saved its progress");
        Assert.Equal(2, reached);
        // Held up by the save, the calls would wait until the test's 10 s timeouts.
        Assert.True(moved < TimeSpan.FromSeconds(2), $"clock 2 took {moved.TotalSeconds:0.0} s while the save hung");
        // Once the store answers, the progress is saved: the job comes back with clock 2.
        await job.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        Assert.Equal(2, Assert.Single((await job.GetStatus()).Workers).Clock);
    }

    private async Task<ShardInfo> PushUntil(string model, IShardGrain shard, Func<ShardInfo, bool> done, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        var info = await shard.GetInfo();
        while (!done(info) && deadline.Elapsed < within)
        {
            await Grains.PushTable(model, Table, Gradient);
            await Task.Delay(10);
            info = await shard.GetInfo();
        }
        return info;
    }
}
