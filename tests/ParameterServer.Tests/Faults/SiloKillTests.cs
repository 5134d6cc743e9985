using System.Diagnostics;
using System.Text.Json;
using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Host.Commands;
using ParameterServer.Tests.Processes;
using Xunit;
using Xunit.Abstractions;
using ErrorCode = ParameterServer.Contracts.ErrorCode;
using static ParameterServer.Tests.Cli.CliRun;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// kill -9 of a silo process under load: two silos on Azure Table clustering and Azure Blob checkpoints (Azurite), a
/// client pushing to every shard; the silo that hosts shards is killed. Pushing goes on, every shard comes back on the
/// live silo from its checkpoint, `paramserver status` shows them there with their versions, and the job's record of
/// lost updates matches what the client was acknowledged, within the checkpoint policy. Measures the recovery time
/// (kill to the first acknowledged push of each moved shard) and the lost updates.
/// </summary>
[Collection(ProcessCollection.Name)]
[Trait("Category", ProcessCollection.Category)]
public sealed class SiloKillTests(ITestOutputHelper output) : IDisposable
{
    private const int CheckpointEvery = 50;
    private const int Shards = 8;

    // 8 shards of 2 rows of zeros under SGD with lr 1: after v pushes of g = 1/1024 a shard's values are exactly -v/1024.
    private static readonly TableSpec Table = new() { Name = "w", Rows = 2 * Shards, Cols = 64, ShardRows = 2, Optimizer = OptimizerSpec.Sgd(1f) };
    private static readonly float[] Gradient = Enumerable.Repeat(1f / 1024, 2 * 64).ToArray();
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(5);

    private readonly string _directory = Directory.CreateTempSubdirectory("ps-silo-kill-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public async Task Pushing_goes_on_after_kill_9_of_a_silo_and_every_shard_comes_back_on_the_live_one_from_its_checkpoint()
    {
        Skip.IfNot(Repository.HasAzurite, $"{Repository.Azurite} is missing: run npm ci (./test.sh does)");
        await using var azurite = await AzuriteProcess.StartAsync(_directory);
        var clusterId = $"ps-{Guid.NewGuid():N}";
        string[] options =
        [
            .. SiloProcess.AzureOptions(clusterId, azurite.ConnectionString),
            "--checkpoint-every", $"{CheckpointEvery}", "--checkpoint-interval", "00:00:05",
            // Failure detection in about 3 s instead of Orleans' default of about 15 s (3 missed probes, 5 s apart).
            "--Membership:ProbeTimeout", "00:00:01", "--Membership:NumMissedProbesLimit", "2",
        ];
        await using var first = await SiloProcess.StartAsync(_directory, "silo-1", options);
        await using var second = await SiloProcess.StartAsync(_directory, "silo-2", options);
        // A push in flight to the killed silo through the other silo's gateway fails only at the response timeout.
        var connection = SiloProcess.AzureConnection(clusterId, azurite.ConnectionString) with { ResponseTimeout = ResponseTimeout };
        await using var client = await ParameterServerClient.ConnectAsync(connection);
        var model = await client.CreateModelAsync(new ModelSpec { Name = "silo-kill", Consistency = ConsistencySpec.Async, Tables = [Table] });

        await using var pusher = ShardPusher.Start(model);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var placed = await model.GetTableStatusAsync("w");
        var victim = placed.Shards.Count(s => first.Hosts(s.Info.Silo)) >= placed.Shards.Count(s => second.Hosts(s.Info.Silo)) ? first : second;
        var survivor = victim == first ? second : first;
        var moved = placed.Shards.Where(s => victim.Hosts(s.Info.Silo)).Select(s => s.Info.Shard).ToArray();

        var killed = pusher.Kill(victim);
        var recovered = await pusher.RecoveredAsync(moved, RecoveryBound);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await pusher.StopAsync();

        var status = await Run(["status", "--json", "--model", model.Name, "--clustering", "azure", "--connection-string", azurite.ConnectionString,
            "--cluster-id", clusterId, "--connect-timeout", "60"]);
        var shards = await model.GetTableStatusAsync("w");
        var losses = (await model.GetStatusAsync()).Losses.ToDictionary(l => l.Shard, l => l.LostUpdates);
        var values = new float[Table.Elements];
        await model.PullAsync("w", values);
        var recovery = recovered.Select(t => (t - killed).TotalSeconds).Order().ToArray();
        var lost = moved.Select(s => pusher.AcknowledgedBeforeKill(s) - shards.Shards[s].Info.RestoredVersion).ToArray();
        output.WriteLine($"killed {victim.Name} (pid {victim.Pid}) hosting {moved.Length} of {Shards} shards; recovery (kill to first acknowledged push) " +
            $"min {recovery[0]:0.00} s, median {recovery[recovery.Length / 2]:0.00} s, max {recovery[^1]:0.00} s; lost updates {string.Join(" + ", lost)} = {lost.Sum()} " +
            $"(checkpoint every {CheckpointEvery} updates); {pusher.Acknowledged} pushes acknowledged, {pusher.Failed} failed and retried; " +
            $"client response timeout {ResponseTimeout.TotalSeconds} s");

        Assert.NotEmpty(moved);
        Assert.True(victim.HasExited);
        Assert.Equal(ExitCodes.Ok, status.Code);
        using var json = JsonDocument.Parse(status.Out);
        var reported = json.RootElement.GetProperty("models")[0].GetProperty("tables")[0].GetProperty("shards").EnumerateArray().ToArray();
        Assert.Equal(Shards, reported.Length);
        Assert.All(reported, s => Assert.True(survivor.Hosts(s.GetProperty("silo").GetString()!), $"shard {s.GetProperty("shard")} is on {s.GetProperty("silo")}"));
        Assert.All(reported, s => Assert.Equal(shards.Shards[s.GetProperty("shard").GetInt32()].Info.Version, s.GetProperty("version").GetInt64()));
        foreach (var s in moved)
        {
            var info = shards.Shards[s].Info;
            // The job's record is what the client was acknowledged minus where the shard came back: its last checkpoint,
            // at most one checkpoint interval of updates (plus those that arrived while that checkpoint was written) behind.
            Assert.Equal(pusher.AcknowledgedBeforeKill(s) - info.RestoredVersion, losses.GetValueOrDefault(info.Key));
            Assert.InRange(pusher.AcknowledgedBeforeKill(s) - info.RestoredVersion, 0, 2 * CheckpointEvery);
        }
        // Every shard's values match its version: whole checkpoints, and every push after the restore applied once.
        Assert.All(shards.Shards, s => Assert.All(values[(s.Info.RowStart * 64)..((s.Info.RowStart + s.Info.RowCount) * 64)],
            v => Assert.Equal(-s.Info.Version / 1024f, v)));
    }

    /// <summary>
    /// Pushes the gradient to each shard in turn, one push at a time, retrying a failed one; counts per shard what was
    /// acknowledged before the kill and when each shard first acknowledged a push after it.
    /// </summary>
    private sealed class ShardPusher : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly long[] _acknowledged = new long[Shards];
        private readonly long[] _beforeKill = new long[Shards];
        private readonly DateTimeOffset?[] _firstAfterKill = new DateTimeOffset?[Shards];
        private Task _loop = Task.CompletedTask;
        private volatile bool _killed;
        private long _failed;

        public long Acknowledged => _acknowledged.Sum();

        public long Failed => Interlocked.Read(ref _failed);

        public static ShardPusher Start(ModelHandle model)
        {
            var pusher = new ShardPusher();
            pusher._loop = Task.Run(() => pusher.RunAsync(model));
            return pusher;
        }

        public long AcknowledgedBeforeKill(int shard) => _beforeKill[shard];

        /// <summary>Kills the silo between two pushes, so that the counts before the kill are exact.</summary>
        public DateTimeOffset Kill(SiloProcess silo)
        {
            lock (_beforeKill)
            {
                Array.Copy(_acknowledged, _beforeKill, Shards);
                silo.Kill();
                _killed = true;
                return DateTimeOffset.UtcNow;
            }
        }

        public async Task<DateTimeOffset[]> RecoveredAsync(int[] shards, TimeSpan within)
        {
            var clock = Stopwatch.StartNew();
            while (shards.Any(s => _firstAfterKill[s] is null))
            {
                if (clock.Elapsed > within)
                    throw new TimeoutException($"shards {string.Join(", ", shards.Where(s => _firstAfterKill[s] is null))} acknowledged no push within {within.TotalSeconds} s of the kill");
                await Task.Delay(50);
            }
            return shards.Select(s => _firstAfterKill[s]!.Value).ToArray();
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
            for (var shard = 0; !_stop.IsCancellationRequested; shard = (shard + 1) % Shards)
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        await model.PushAsync("w", Gradient, rowStart: 2 * shard);
                        lock (_beforeKill)
                        {
                            _acknowledged[shard]++;
                            if (_killed) _firstAfterKill[shard] ??= DateTimeOffset.UtcNow;
                        }
                        break;
                    }
                    catch (Exception e) when (e is not ParameterServerException { Code: not ErrorCode.Unavailable })
                    {
                        // The push went to the dead silo or through its gateway; it was not acknowledged. Try again.
                        Interlocked.Increment(ref _failed);
                        await Task.Delay(20);
                    }
                }
            }
        }
    }
}
