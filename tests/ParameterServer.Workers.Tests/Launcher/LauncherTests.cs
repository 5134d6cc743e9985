using ParameterServer.WorkerHost.Launch;

namespace ParameterServer.Workers.Tests.Launcher;

public sealed class LauncherTests
{
    // Worker 0 reports train losses 0.7 and 0.5 and evaluates both epochs; worker 1 reports 0.9 and 0.7 and does not evaluate.
    private const string TrainingWorker = """
        echo "@ps {\"type\":\"started\",\"worker\":$w,\"device\":\"cpu\",\"samples\":500}"
        echo "loading Fashion-MNIST"
        if [ $w = 0 ]; then l1=0.7; l2=0.5; eval1=',"test_accuracy":0.8,"test_loss":0.55,"test_samples":10000'; eval2=',"test_accuracy":0.86,"test_loss":0.4,"test_samples":10000'; secs=4; stall=0.1
        else l1=0.9; l2=0.7; eval1=''; eval2=''; secs=5; stall=0.2; fi
        echo "@ps {\"type\":\"step\",\"worker\":$w,\"epoch\":1,\"step\":1,\"steps_in_epoch\":4,\"loss\":1.5,\"samples_per_second\":100,\"stall_fraction\":0.1}"
        echo "@ps {\"type\":\"epoch\",\"worker\":$w,\"epoch\":1,\"train_loss\":$l1$eval1}"
        echo "@ps {\"type\":\"epoch\",\"worker\":$w,\"epoch\":2,\"train_loss\":$l2$eval2}"
        echo "@ps {\"type\":\"done\",\"worker\":$w,\"samples\":1000,\"train_seconds\":$secs,\"stall_fraction\":$stall}"
        """;

    [Fact]
    public async Task Runs_a_silo_and_the_workers_and_gathers_their_results()
    {
        using var job = new FakeJob(TrainingWorker);

        var results = await job.RunAsync();

        // Worker 0 evaluated epoch 2 at 0.86; train losses average (0.5 + 0.7) / 2 = 0.6; 2000 samples in the
        // longest worker's 5 s = 400 samples/s.
        Assert.Equal(0.86, results.TestAccuracy);
        Assert.Equal(0.6, results.Curves[1].TrainLoss, 1e-12);
        Assert.Equal(400, results.SamplesPerSecond, 1e-9);
        Assert.Equal([0.1, 0.2], results.StallFraction);
        Assert.Equal(("cpu", "bsp", 2, 2), (results.Device, results.Consistency, results.Workers, results.Epochs));
        Assert.Empty(await Pids.Survivors(job.Pids()));

        Assert.Matches(@"^silo --silo-port \d+ --gateway-port \d+ --data-port -1 --data-dir /\S+$", job.SiloArgs);
        Assert.Equal(2, job.WorkerArgs.Length);
        Assert.Matches(
            @"^train --gateway-port \d+ --model fashion-mnist-mlp --worker-index 0 --workers 2 --lease 10 --epochs 2 --consistency bsp --device auto --seed 1 --data /\S+/data --batch-size 128 --optimizer adam --learning-rate 0.002 --encoding fp32$",
            job.WorkerArgs.Single(a => a.Contains("--worker-index 0")));
        var shown = job.Output.ToString();
        Assert.Contains("worker 0: epoch 2/2 done: train loss 0.5000, test accuracy 0.8600 on 10000 images, test loss 0.4000", shown);
        Assert.Contains("[worker 1] loading Fashion-MNIST", shown);
        Assert.DoesNotContain("silo starting", shown);
        Assert.Contains("silo starting", File.ReadAllText(Path.Combine(job.Options.RunDirectory, "silo.log")));
    }

    [Fact]
    public async Task A_standalone_run_starts_one_worker_and_no_silo()
    {
        using var job = new FakeJob(TrainingWorker, workers: 1, standalone: true);

        var results = await job.RunAsync();

        Assert.False(File.Exists(Path.Combine(job.Options.RunDirectory, "silo.log")));
        Assert.Matches(@"^train --standalone --model fashion-mnist-mlp --worker-index 0 --workers 1 ", job.WorkerArgs.Single());
        Assert.Equal(("standalone", 0.86), (results.Consistency, results.TestAccuracy));
    }

    // Worker 0 reports a step of epoch 1 and that epoch's evaluation, then meets FATE; worker 1 waits until worker 0 is
    // gone, then finishes both epochs and evaluates the last (0.85), as every worker that finishes does.
    private const string LosingWorker0 = """
        echo "@ps {\"type\":\"started\",\"worker\":$w,\"device\":\"cpu\",\"samples\":500}"
        echo "@ps {\"type\":\"step\",\"worker\":$w,\"epoch\":1,\"step\":2,\"steps_in_epoch\":4,\"loss\":1.5,\"samples_per_second\":100,\"stall_fraction\":0.25,\"samples\":256}"
        if [ $w = 0 ]; then
          echo "@ps {\"type\":\"epoch\",\"worker\":0,\"epoch\":1,\"train_loss\":0.7,\"test_accuracy\":0.8,\"test_loss\":0.55,\"test_samples\":10000}"
          FATE
        fi
        while [ ! -f $pids/worker-0 ] || kill -0 $(cat $pids/worker-0) 2>/dev/null; do sleep 0.05; done
        echo "@ps {\"type\":\"epoch\",\"worker\":1,\"epoch\":1,\"train_loss\":0.9}"
        echo "@ps {\"type\":\"epoch\",\"worker\":1,\"epoch\":2,\"train_loss\":0.6,\"test_accuracy\":0.85,\"test_loss\":0.45,\"test_samples\":10000}"
        echo "@ps {\"type\":\"done\",\"worker\":1,\"samples\":1500,\"train_seconds\":5,\"stall_fraction\":0.2}"
        """;

    [Fact]
    public async Task A_worker_killed_by_a_signal_is_lost_and_the_others_finish_the_run_which_records_the_loss()
    {
        using var job = new FakeJob(LosingWorker0.Replace("FATE", "kill -9 $$"));

        var results = await job.RunAsync();

        // Worker 1's evaluation of the last epoch is the run's; epoch 1's train loss is the mean of both, (0.7 + 0.9) / 2.
        Assert.Equal(0.85, results.TestAccuracy);
        Assert.Equal(0.8, results.Curves[0].TrainLoss, 1e-12);
        // Worker 0 as of its last step report: 256 samples at 100 samples/s, stall 0.25, epoch 1 step 2, one epoch ended.
        var lost = results.PerWorker[0];
        Assert.Equal((256L, 100.0, 0.25), (lost.Samples, lost.SamplesPerSecond, lost.StallFraction));
        Assert.Equal((job.WorkerPid(0), 137, "killed by signal 9 (SIGKILL), exit code 137", 1, 2, 1),
            (lost.Lost!.Pid, lost.Lost.ExitCode, lost.Lost.Reason, lost.Lost.Epoch, lost.Lost.Step, lost.Lost.EpochsDone));
        Assert.InRange(lost.Lost.At, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);
        Assert.Null(results.PerWorker[1].Lost);
        // Samples/s of the run: (256 + 1500) samples over worker 1's 5 s.
        Assert.Equal(1756 / 5.0, results.SamplesPerSecond, 1e-9);
        var shown = job.Output.ToString();
        Assert.Contains($"worker 0: LOST (pid {job.WorkerPid(0)}): killed by signal 9 (SIGKILL), exit code 137, ", shown);
        Assert.Contains("at epoch 1/2 step 2; training goes on with worker 1, which takes over its data partitions once its lease of 10 s runs out", shown);
        Assert.Empty(await Pids.Survivors(job.Pids()));
    }

    [Fact]
    public async Task A_worker_that_reports_an_error_and_exits_is_lost_with_its_message()
    {
        using var job = new FakeJob(LosingWorker0.Replace("FATE", """echo "@ps {\"type\":\"error\",\"worker\":0,\"message\":\"cluster unreachable\"}"; exit 1"""));

        var results = await job.RunAsync();

        Assert.Equal("reported an error (cluster unreachable) and exited with code 1", results.PerWorker[0].Lost!.Reason);
        Assert.Contains("worker 0: error: cluster unreachable", job.Output.ToString());
        Assert.Equal(0.85, results.TestAccuracy);
    }

    [Fact]
    public async Task A_run_whose_last_epoch_no_worker_evaluated_fails()
    {
        // Worker 1 finishes without evaluating: the evaluation of the last epoch is gone with worker 0.
        using var job = new FakeJob(LosingWorker0.Replace("FATE", "exit 2").Replace(""",\"test_accuracy\":0.85,\"test_loss\":0.45,\"test_samples\":10000""", ""));

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => job.RunAsync());

        Assert.Equal("no worker evaluated the model after epoch 2, the last; the results are not written", e.Message);
        Assert.Empty(await Pids.Survivors(job.Pids()));
    }

    [Fact]
    public async Task When_every_worker_is_lost_the_run_fails_and_stops_the_silo()
    {
        using var job = new FakeJob("""
            echo "out of memory"
            exit 3
            """);

        var e = await Assert.ThrowsAsync<ChildFailedException>(() => job.RunAsync());

        // Whichever exit the launcher handles last ends the run.
        Assert.Equal("exited with code 3, and no worker is left to finish the run", e.Reason);
        Assert.Contains(e.Child.Name, new[] { "worker 0", "worker 1" });
        Assert.Contains("out of memory", e.LastLines);
        Assert.Empty(await Pids.Survivors(job.Pids()));
    }

    [Fact]
    public async Task A_worker_that_exits_without_reporting_done_is_lost()
    {
        using var job = new FakeJob("exit 0", workers: 1);

        var e = await Assert.ThrowsAsync<ChildFailedException>(() => job.RunAsync());

        Assert.Equal(("worker 0", "exited with code 0 without reporting done, and no worker is left to finish the run"), (e.Child.Name, e.Reason));
        Assert.Empty(await Pids.Survivors(job.Pids()));
    }

    [Fact]
    public async Task Cancelling_the_run_stops_every_process_it_started()
    {
        using var job = new FakeJob("exec sleep 30");
        using var cancel = new CancellationTokenSource();

        var run = job.RunAsync(cancel.Token);
        for (var waited = 0; job.Pids().Length < 3 && waited < 30_000; waited += 20)
            await Task.Delay(20);
        Assert.Equal(3, job.Pids().Length);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Empty(await Pids.Survivors(job.Pids()));
    }

    [Fact]
    public async Task A_missing_dataset_fails_before_anything_starts()
    {
        using var job = new FakeJob("exit 0");
        Directory.Delete(job.Options.DataDirectory, recursive: true);

        var e = await Assert.ThrowsAsync<Workers.Data.DatasetException>(() => job.RunAsync());

        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Empty(job.Pids());
    }
}
