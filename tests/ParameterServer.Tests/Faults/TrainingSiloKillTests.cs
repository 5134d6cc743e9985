using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Host.Commands;
using ParameterServer.Tests.Processes;
using Xunit;
using Xunit.Abstractions;
using static ParameterServer.Tests.Cli.CliRun;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// kill -9 of a silo during training: deploy/local-cluster.sh (Azurite, two silos on Azure clustering and blob
/// checkpoints, two workers under BSP); in the first epoch the silo that hosts the job's grain (and shards) is killed by
/// its PID file. Training goes on and ends within a point of the test accuracy of the run without the fault; every
/// shard comes back on the live silo from its last checkpoint (`paramserver status` shows them there, with their
/// versions), the job from its last saved progress; the workers' lanes go to the live silo's data port; the job's
/// record of lost updates stays within the checkpoint policy. Measures the recovery time (the kill to the first push
/// each moved shard accepted) and the lost updates.
/// </summary>
[Collection(ProcessCollection.Name)]
[Trait("Category", ProcessCollection.Category)]
public sealed partial class TrainingSiloKillTests(BaselineTraining baseline, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(90);

    private readonly string _directory = Directory.CreateTempSubdirectory("ps-training-kill-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public async Task Training_goes_on_after_kill_9_of_a_silo_and_ends_within_a_point_of_the_run_without_it()
    {
        BaselineTraining.SkipUnlessRunnable();
        var (reference, referenceWall) = await baseline.ResultAsync();

        var clock = Stopwatch.StartNew();
        await using var run = LocalCluster.Start(Path.Combine(_directory, "run"), silos: 2, workers: 2, BaselineTraining.Silos, [.. BaselineTraining.Training, "--hold"]);
        // Connected once training has started, so that the shards are read just before the kill.
        await run.WaitForWorkerAsync(0, "\"type\":\"started\"", BaselineTraining.Timeout);
        await using var client = await ParameterServerClient.ConnectAsync(run.Connection);
        var model = await client.OpenModelAsync(BaselineTraining.Model);
        await run.WaitForWorkerAsync(0, "\"epoch\":1,\"step\":100,", BaselineTraining.Timeout);
        var before = await ShardsAsync(model);
        // The job's silo, so that the job too comes back from its saved progress; the other one if it hosts no shard (1 in 64).
        var activations = await client.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var jobSilo = run.SiloName(activations.Single(a => a.GrainId.ToString() == $"model/{BaselineTraining.Model}").SiloAddress.ToString());
        var victim = before.Any(s => run.SiloName(s.Silo) == jobSilo) ? jobSilo : Other(jobSilo);
        var survivor = Other(victim);
        var moved = before.Where(s => run.SiloName(s.Silo) == victim).ToArray();
        using var victimProcess = Process.GetProcessById(run.Pid(victim));
        var killed = DateTimeOffset.UtcNow;
        victimProcess.Kill();

        var accuracy = await run.WaitForResultsAsync(BaselineTraining.Timeout);
        var status = await Run(["status", "--json", "--model", BaselineTraining.Model, .. run.ClientOptions]);
        var after = (await ShardsAsync(model)).ToDictionary(s => s.Key);
        var job = await model.GetStatusAsync();
        var losses = job.Losses.ToDictionary(l => l.Shard, l => l.LostUpdates);
        await run.StopAsync();
        var wall = clock.Elapsed;

        var recovery = moved.Select(s => (after[s.Key].FirstPushAt!.Value - killed).TotalSeconds).Order().ToArray();
        var lost = moved.Select(s => losses.GetValueOrDefault(s.Key)).ToArray();
        var survivorPushes = StagedPushes(run, survivor);
        output.WriteLine($"killed {victim} (pid {victimProcess.Id}) once worker 0 logged epoch 1 step 100, hosting {moved.Length} of {before.Length} shards{(victim == jobSilo ? " and the job" : "")}; " +
            $"recovery (kill to first accepted push) {string.Join(", ", recovery.Select(r => $"{r:0.00}"))} s; " +
            $"lost updates {string.Join(" + ", lost)} = {lost.Sum()} (checkpoint every {BaselineTraining.CheckpointEvery} updates); " +
            $"restored at {string.Join(", ", moved.Select(s => $"{after[s.Key].RestoredVersion} (checkpointed {s.CheckpointedVersion}, version {s.Version} before the kill)"))}; " +
            $"{survivor}'s data port staged {survivorPushes} pushes");
        output.WriteLine($"test accuracy {accuracy:0.0000} with the kill, {reference:0.0000} without; runs (build, start, train, stop) {wall.TotalSeconds:0} s and {referenceWall.TotalSeconds:0} s");

        Assert.True(victimProcess.HasExited);
        Assert.Empty(run.Alive());
        Assert.InRange(accuracy - reference, -0.01, 0.01);
        // The job completed every clock, and its workers left.
        Assert.Equal((BaselineTraining.Epochs * BaselineTraining.StepsPerEpoch, 0), (job.MinClock, job.Workers.Count));
        Assert.Equal(ExitCodes.Ok, status.Code);
        using var json = JsonDocument.Parse(status.Out);
        var reported = json.RootElement.GetProperty("models")[0].GetProperty("tables").EnumerateArray()
            .SelectMany(t => t.GetProperty("shards").EnumerateArray().Select(s => (Key: $"{BaselineTraining.Model}/{t.GetProperty("name").GetString()}/{s.GetProperty("shard").GetInt32()}", Shard: s)))
            .ToArray();
        Assert.Equal(after.Keys.Order(), reported.Select(r => r.Key).Order());
        Assert.All(reported, r => Assert.Equal(survivor, run.SiloName(r.Shard.GetProperty("silo").GetString()!)));
        Assert.All(reported, r => Assert.Equal(after[r.Key].Version, r.Shard.GetProperty("version").GetInt64()));
        Assert.NotEmpty(moved);
        foreach (var s in moved)
        {
            var now = after[s.Key];
            // A new activation, from a checkpoint no older than the one written before the kill; its first push came after.
            Assert.True(now.Activation > killed.UtcTicks, $"shard {s.Key} was not reactivated");
            Assert.InRange(now.RestoredVersion, s.CheckpointedVersion, s.Version + BaselineTraining.CheckpointEvery);
            Assert.InRange(now.FirstPushAt!.Value - killed, TimeSpan.Zero, RecoveryBound);
            // The workers were acknowledged at least the version seen before the kill, less the clock in flight; what
            // the job recorded lost is that minus the restored version, within the policy: one checkpoint interval of
            // updates plus those that came in while that checkpoint was written.
            Assert.InRange(losses.GetValueOrDefault(s.Key), Math.Max(0, s.Version - 1 - now.RestoredVersion), 2 * BaselineTraining.CheckpointEvery);
        }
        // Lanes failed over: on top of its own shards' pushes of the whole run (two workers, one push each per clock),
        // the survivor's data port staged at least the moved shards' pushes of the second epoch, all after the kill.
        var own = 2 * BaselineTraining.Epochs * BaselineTraining.StepsPerEpoch * (before.Length - moved.Length);
        Assert.True(survivorPushes >= own + 2 * BaselineTraining.StepsPerEpoch * moved.Length,
            $"{survivor} staged {survivorPushes} pushes; its own {before.Length - moved.Length} shards take {own}");
    }

    private static string Other(string silo) => silo == "silo-1" ? "silo-2" : "silo-1";

    private static async Task<ShardInfo[]> ShardsAsync(ModelHandle model)
    {
        var shards = new List<ShardInfo>();
        foreach (var table in model.Spec.Tables)
            shards.AddRange((await model.GetTableStatusAsync(table.Name)).Shards.Select(s => s.Info));
        return [.. shards];
    }

    // The data port's closing line in a silo's log: "Data port P closed: L lanes, N pushes (B bytes) staged, ...".
    private static long StagedPushes(LocalCluster run, string silo)
    {
        var match = DataPortClosed().Match(File.ReadAllText(Path.Combine(run.Logs, $"{silo}.log")));
        return match.Success ? long.Parse(match.Groups[1].Value) : throw new InvalidOperationException($"{silo} did not log its data port's totals");
    }

    [GeneratedRegex(@"Data port \d+ closed: \d+ lanes, (\d+) pushes")]
    private static partial Regex DataPortClosed();
}
