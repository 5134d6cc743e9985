using System.Diagnostics;
using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Tests.Processes;
using Xunit;
using Xunit.Abstractions;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// Azure Storage goes away during training and comes back: a silo process on Azure Table clustering and Azure Blob
/// checkpoints (an Azurite of the test's own, stopped and started again on the same ports and data) keeps serving
/// pushes, its checkpoints fail and are retried with backoff, catch up once the storage is back, and a silo started
/// after a kill -9 serves whole checkpoints.
/// </summary>
[Collection(ProcessCollection.Name)]
[Trait("Category", ProcessCollection.Category)]
public sealed class StorageOutageTests(ITestOutputHelper output) : IDisposable
{
    // How long Azurite stays down: long enough for a failed attempt, which the storage client itself retries for about
    // 15 s (its default: 3 retries, exponential from 0.8 s) before it gives up, plus a write the stop caught hanging.
    private static readonly TimeSpan Down = TimeSpan.FromSeconds(40);

    // Two shards of zeros under SGD with lr 1: after v pushes of g = 1/1024 every value of a shard is exactly -v/1024.
    private static readonly TableSpec Table = new() { Name = "w", Rows = 8, Cols = 8, ShardRows = 4, Optimizer = OptimizerSpec.Sgd(1f) };
    private static readonly float[] Gradient = Enumerable.Repeat(1f / 1024, 64).ToArray();

    private readonly string _directory = Directory.CreateTempSubdirectory("ps-storage-outage-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public async Task Pushes_are_served_while_Azurite_is_stopped_and_checkpoints_catch_up_once_it_is_back()
    {
        Skip.IfNot(Repository.HasAzurite, $"{Repository.Azurite} is missing: run npm ci (./test.sh does)");
        await using var azurite = await AzuriteProcess.StartAsync(_directory);
        var clusterId = $"ps-{Guid.NewGuid():N}";
        string[] options =
        [
            .. SiloProcess.AzureOptions(clusterId, azurite.ConnectionString),
            "--checkpoint-every", "20", "--checkpoint-interval", "00:00:01",
            "--Checkpoint:RetryDelay", "00:00:00.5", "--Checkpoint:MaxRetryDelay", "00:00:02",
        ];
        var spec = new ModelSpec { Name = "outage", Consistency = ConsistencySpec.Async, Tables = [Table] };
        var connection = SiloProcess.AzureConnection(clusterId, azurite.ConnectionString);

        TableStatus down, back;
        DateTimeOffset stopped;
        long pushedDuringOutage;
        (int, int) ports;
        await using (var first = await SiloProcess.StartAsync(_directory, "silo-1", options))
        {
            await using var client = await ParameterServerClient.ConnectAsync(connection);
            var model = await client.CreateModelAsync(spec);
            await using var pusher = Pusher.Start(model);
            await Task.Delay(TimeSpan.FromSeconds(1));

            var before = pusher.Pushes;
            stopped = DateTimeOffset.UtcNow;
            await azurite.StopAsync();
            await Task.Delay(Down);
            pushedDuringOutage = pusher.Pushes - before;
            down = await model.GetTableStatusAsync("w");
            await azurite.StartAsync();
            var restartedAt = down.Shards.Select(s => s.Info.Version).ToArray();
            var catchUp = Stopwatch.StartNew();
            back = await Eventually(model, t => t.Shards.All(s => s.Info.CheckpointFailures == 0 && s.Info.CheckpointedVersion >= restartedAt[s.Info.Shard]),
                TimeSpan.FromSeconds(60));
            output.WriteLine($"{pushedDuringOutage} pushes served in {Down.TotalSeconds:0} s without storage; checkpoints failed " +
                $"{string.Join(", ", down.Shards.Select(s => s.Info.CheckpointFailures))} times ({down.Shards.Select(s => s.Info.CheckpointError).FirstOrDefault(e => e is not null)}); " +
                $"caught up {catchUp.Elapsed.TotalSeconds:0.0} s after Azurite was back");

            await pusher.StopAsync();
            Assert.Empty(pusher.Failures);
            await model.CheckpointAsync();
            first.Kill();
            ports = first.Ports;
        }
        var checkpointed = (await ReadAfterRestart(options, ports, connection, spec)).ToArray();

        Assert.True(pushedDuringOutage > 0, "no push was served while the storage was down");
        // No checkpoint landed while the storage was down; the status says why for a shard whose storage client has
        // given up on a write (it retries one for ~15 s; a write caught by the stop may hang longer).
        Assert.All(down.Shards, s => Assert.True(s.Info.CheckpointedAt < stopped, $"shard {s.Info.Shard} checkpointed during the outage"));
        Assert.Contains(down.Shards, s => s.Info.CheckpointFailures > 0 && s.Info.CheckpointError is not null);
        Assert.All(back.Shards, s => Assert.Null(s.Info.CheckpointError));
        // The restarted silo serves each shard at its last checkpoint, values and version from the same write.
        Assert.All(checkpointed, c => Assert.All(c.Values, v => Assert.Equal(-c.Version / 1024f, v)));
    }

    // The shards' versions and values as a silo started in place of the killed one serves them.
    private async Task<IEnumerable<(long Version, float[] Values)>> ReadAfterRestart(string[] options, (int, int) ports, ConnectionOptions connection, ModelSpec spec)
    {
        await using var second = await SiloProcess.StartAsync(_directory, "silo-2", options, ports);
        await using var client = await ParameterServerClient.ConnectAsync(connection);
        var model = await client.OpenModelAsync(spec.Name);
        var table = await model.GetTableStatusAsync("w");
        var values = new float[Table.Elements];
        await model.PullAsync("w", values);
        return table.Shards.Select(s => (s.Info.Version, values[(s.Info.RowStart * Table.Cols)..((s.Info.RowStart + s.Info.RowCount) * Table.Cols)]));
    }

    private static async Task<TableStatus> Eventually(ModelHandle model, Func<TableStatus, bool> done, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        var status = await model.GetTableStatusAsync("w");
        while (!done(status) && clock.Elapsed < within)
        {
            await Task.Delay(200);
            status = await model.GetTableStatusAsync("w");
        }
        return status;
    }

    /// <summary>Pushes the gradient to the whole table, one push after the other, until stopped; counts what was acknowledged.</summary>
    private sealed class Pusher : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<string> _failures = [];
        private Task _loop = Task.CompletedTask;
        private long _pushes;

        public long Pushes => Interlocked.Read(ref _pushes);

        public IReadOnlyList<string> Failures => _failures;

        public static Pusher Start(ModelHandle model)
        {
            var pusher = new Pusher();
            pusher._loop = Task.Run(() => pusher.RunAsync(model));
            return pusher;
        }

        public async Task StopAsync()
        {
            _stop.Cancel();
            await _loop;
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }

        private async Task RunAsync(ModelHandle model)
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await model.PushAsync("w", Gradient);
                    Interlocked.Increment(ref _pushes);
                }
                catch (Exception e)
                {
                    _failures.Add($"{e.GetType().Name}: {e.Message}");
                    await Task.Delay(100);
                }
            }
        }
    }
}
