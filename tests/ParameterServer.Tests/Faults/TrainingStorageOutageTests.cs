using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ParameterServer.Client;
using ParameterServer.Tests.Processes;
using Xunit;
using Xunit.Abstractions;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// Azure Storage goes away during training and comes back: deploy/local-cluster.sh (two silos on Azure clustering and
/// blob checkpoints, two workers under BSP); in the first epoch its Azurite is stopped and, a while later, started again
/// on the same ports and data. The workers keep training through the outage, the shards' checkpoint writes fail and are
/// retried with a doubling delay, they catch up once the storage is back, and the run ends at the accuracy of the run
/// without the outage.
/// </summary>
[Collection(ProcessCollection.Name)]
[Trait("Category", ProcessCollection.Category)]
public sealed partial class TrainingStorageOutageTests(BaselineTraining baseline, ITestOutputHelper output) : IDisposable
{
    // Long enough for a shard's write to fail while the storage is away: the storage client repeats each request of a
    // write (3 retries, exponential from 0.8 s) before the write fails, about 20 s in all here.
    private static readonly TimeSpan Down = TimeSpan.FromSeconds(35);

    private readonly string _directory = Directory.CreateTempSubdirectory("ps-training-outage-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public async Task Training_goes_on_while_Azurite_is_stopped_and_checkpoints_catch_up_once_it_is_back()
    {
        BaselineTraining.SkipUnlessRunnable();
        var (reference, _) = await baseline.ResultAsync();

        var clock = Stopwatch.StartNew();
        var directory = Path.Combine(_directory, "run");
        AzuriteProcess? restarted = null;
        try
        {
            await using var run = LocalCluster.Start(directory, silos: 2, workers: 2, BaselineTraining.Silos, [.. BaselineTraining.Training, "--hold"]);
            await run.WaitForWorkerAsync(0, "\"epoch\":1,\"step\":50,", BaselineTraining.Timeout);
            var connection = run.Connection;
            using (var azurite = Process.GetProcessById(run.Pid("azurite")))
            {
                ChildProcess.Terminate(azurite.Id);
                await azurite.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            }
            var stepsBefore = run.Steps(0).Count;
            var stopped = Stopwatch.StartNew();
            await Task.Delay(Down);
            var stepsDuring = run.Steps(0).Count - stepsBefore;
            // Azurite as local-cluster.sh ran it: its data in DIR/azurite, the same blob and table ports.
            restarted = await AzuriteProcess.ReplaceAsync(directory, connection.ConnectionString!);
            var outage = stopped.Elapsed;

            var accuracy = await run.WaitForResultsAsync(BaselineTraining.Timeout);
            await using var client = await ParameterServerClient.ConnectAsync(connection);
            var model = await client.OpenModelAsync(BaselineTraining.Model);
            var written = await model.CheckpointAsync();
            var shards = new List<Contracts.ShardInfo>();
            foreach (var table in model.Spec.Tables)
                shards.AddRange((await model.GetTableStatusAsync(table.Name)).Shards.Select(s => s.Info));
            await run.StopAsync();
            var retries = SiloLogs(directory).SelectMany(log => FailedCheckpoint().Matches(log))
                .GroupBy(m => m.Groups["shard"].Value)
                .ToDictionary(g => g.Key, g => g.Select(m => TimeSpan.Parse(m.Groups["delay"].Value, CultureInfo.InvariantCulture)).ToArray());
            var caughtUp = SiloLogs(directory).Sum(log => CaughtUp().Count(log));
            output.WriteLine($"Azurite down {outage.TotalSeconds:0.0} s from epoch 1 step 50: worker 0 logged {stepsDuring} step records (every 50 steps) meanwhile; " +
                $"failed checkpoint attempts per shard {string.Join(", ", retries.Select(r => $"{r.Key}: {r.Value.Length} (next after {string.Join(", ", r.Value.Select(d => $"{d.TotalSeconds:0.#}"))} s)"))}; " +
                $"{caughtUp} shards logged their checkpoint written after failures");
            output.WriteLine($"test accuracy {accuracy:0.0000} with the outage, {reference:0.0000} without; run {clock.Elapsed.TotalSeconds:0} s");

            Assert.True(stepsDuring > 0, "no worker step was recorded while the storage was down");
            Assert.InRange(accuracy - reference, -0.01, 0.01);
            Assert.Empty(run.Alive());
            // Retries with a delay that doubles from 0.5 s up to 4 s, each after the storage client gave up on a write (the
            // doubling itself is CheckpointStoreFaultTests' business: here a shard fails once or twice).
            Assert.NotEmpty(retries);
            Assert.All(retries.Values, delays => Assert.Equal(delays.Select((_, i) => TimeSpan.FromSeconds(Math.Min(0.5 * (1 << Math.Min(i, 4)), 4))), delays));
            Assert.True(caughtUp > 0, "no shard logged a checkpoint written after failed attempts");
            // After the run every shard is written at its version and says nothing failed.
            Assert.Equal(shards.Count, written);
            Assert.All(shards, s => Assert.Equal((s.Version, 0, (string?)null), (s.CheckpointedVersion, s.CheckpointFailures, s.CheckpointError)));
        }
        finally
        {
            if (restarted is not null)
                await restarted.DisposeAsync();
        }
    }

    private static IEnumerable<string> SiloLogs(string directory) =>
        Directory.GetFiles(Path.Combine(directory, "logs"), "silo-*.log").Select(File.ReadAllText);

    // ShardGrain's warning: "Checkpoint of shard S at version V failed (N in a row, ...); next background attempt in DELAY: ...".
    [GeneratedRegex(@"Checkpoint of shard (?<shard>\S+) at version \d+ failed \(\d+ in a row, [^)]*\); next background attempt in (?<delay>\d+:\d\d:\d\d(\.\d+)?)")]
    private static partial Regex FailedCheckpoint();

    // ShardGrain's line once a write succeeds after failures.
    [GeneratedRegex(@"Checkpoint of shard \S+ written at version \d+ after \d+ failed attempts")]
    private static partial Regex CaughtUp();
}
