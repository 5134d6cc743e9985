using System.Diagnostics;
using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Tests.Processes;
using Xunit;
using Xunit.Abstractions;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// A whole-cluster restart during training: deploy/local-cluster.sh (two silos on Azure clustering and blob checkpoints,
/// two workers under BSP) is stopped in the second epoch, every process by its PID (the workers killed, the silos
/// stopped, which writes their checkpoints and the job's progress), then started again on the same storage with
/// --resume-from. Every shard comes back from its checkpoint, every worker goes on from its clock in the job's saved
/// progress (not from epoch 1), each clock of the run is applied exactly once, and the run ends at the accuracy of the
/// run that was never stopped.
/// </summary>
[Collection(ProcessCollection.Name)]
[Trait("Category", ProcessCollection.Category)]
public sealed class ClusterRestartTests(BaselineTraining baseline, ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ps-cluster-restart-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public async Task A_cluster_stopped_mid_training_and_started_again_resumes_each_worker_at_its_clock_from_the_checkpoints()
    {
        BaselineTraining.SkipUnlessRunnable();
        var (reference, _) = await baseline.ResultAsync();
        const int Steps = BaselineTraining.StepsPerEpoch;
        const int Clocks = BaselineTraining.Epochs * Steps;

        var clock = Stopwatch.StartNew();
        IReadOnlyList<string> aliveAfterStop;
        var first = LocalCluster.Start(Path.Combine(_directory, "first"), silos: 2, workers: 2, BaselineTraining.Silos, BaselineTraining.Training);
        await using (first)
        {
            await first.WaitForWorkerAsync(0, $"\"epoch\":2,\"step\":50,", BaselineTraining.Timeout);
            await first.StopAsync();
            aliveAfterStop = first.Alive();
        }
        var stopped = clock.Elapsed;

        await using var second = LocalCluster.Start(Path.Combine(_directory, "second"), silos: 2, workers: 2, BaselineTraining.Silos,
            [.. BaselineTraining.Training, "--resume-from", first.RunDirectory, "--hold"]);
        var accuracy = await second.WaitForResultsAsync(BaselineTraining.Timeout);
        long[] resumedAt = [second.JoinClock(0), second.JoinClock(1)];
        long[] samples = [second.WorkerSamples(0), second.WorkerSamples(1)];
        var steps = new[] { second.Steps(0), second.Steps(1) };
        ShardInfo[] shards;
        ModelStatus job;
        await using (var client = await ParameterServerClient.ConnectAsync(second.Connection))
        {
            var model = await client.OpenModelAsync(BaselineTraining.Model);
            var infos = new List<ShardInfo>();
            foreach (var table in model.Spec.Tables)
                infos.AddRange((await model.GetTableStatusAsync(table.Name)).Shards.Select(s => s.Info));
            shards = [.. infos];
            job = await model.GetStatusAsync();
        }
        await second.StopAsync();
        var restored = shards.Select(s => s.RestoredVersion).Distinct().ToArray();
        output.WriteLine($"stopped at epoch 2 step 50 of worker 0 after {stopped.TotalSeconds:0} s; restarted: shards restored at version {string.Join(", ", restored)}, " +
            $"workers joined at clocks {resumedAt[0]} and {resumedAt[1]} (epoch {resumedAt[0] / Steps + 1}, step {resumedAt[0] % Steps + 1} next), " +
            $"trained {samples[0]} and {samples[1]} samples, first step records {string.Join(" and ", steps.Select(s => $"epoch {s[0].Epoch} step {s[0].Step}"))}");
        output.WriteLine($"test accuracy {accuracy:0.0000} after the restart, {reference:0.0000} without it; both runs {clock.Elapsed.TotalSeconds:0} s");

        Assert.Empty(aliveAfterStop);
        Assert.Empty(second.Alive());
        // Every shard came back from the checkpoint its silo wrote when stopped, at the job's clock then: the workers'
        // clocks, which under BSP differ by at most the one clock a worker had pushed and reported before it was killed.
        var version = Assert.Single(restored);
        Assert.True(version >= Steps + 49, $"restored at version {version}, before the stop at epoch 2 step 50");
        Assert.Equal(version, resumedAt.Min());
        Assert.InRange(resumedAt.Max(), version, version + 1);
        for (var w = 0; w < 2; w++)
        {
            // Each worker trained from the step after its clock to the end, no step before it.
            Assert.Equal(BaselineTraining.SamplesAfter(resumedAt[w]), samples[w]);
            Assert.All(steps[w], s => Assert.True((s.Epoch - 1) * Steps + s.Step > resumedAt[w], $"worker {w} trained epoch {s.Epoch} step {s.Step} again"));
        }
        // Each clock applied once, across the restart; the job completed them all.
        Assert.All(shards, s => Assert.Equal(Clocks, s.Version));
        Assert.Empty(job.Workers);
        Assert.Equal(Clocks, job.MinClock);
        Assert.InRange(accuracy - reference, -0.01, 0.01);
    }
}
