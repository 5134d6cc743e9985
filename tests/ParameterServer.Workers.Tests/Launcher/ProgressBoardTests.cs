using ParameterServer.WorkerHost.Launch;
using ParameterServer.WorkerHost.Output;
using ParameterServer.Workers.Progress;

namespace ParameterServer.Workers.Tests.Launcher;

public sealed class ProgressBoardTests
{
    /// <summary>Two workers, two epochs; worker 0 evaluates both epochs, worker 1 only the second.</summary>
    internal static ProgressBoard TwoWorkersTwoEpochs()
    {
        var board = new ProgressBoard(workers: 2, epochs: 2);
        ProgressRecord[] records =
        [
            new WorkerStarted(0, "cpu", 600),
            new WorkerStarted(1, "cpu", 400),
            new StepProgress(0, 1, 3, 5, 0.7, 90, 0.1),
            new EpochEnd(0, 1, 0.6, 0.80, 0.50, 10000),
            new EpochEnd(1, 1, 0.4, null, null, 0),
            new EpochEnd(0, 2, 0.3, 0.84, 0.40, 10000),
            new EpochEnd(1, 2, 0.2, 0.86, 0.30, 10000),
            new WorkerDone(0, 600, 10, 0.1),
            new WorkerDone(1, 400, 8, 0.2),
        ];
        foreach (var record in records)
            board.Apply(record);
        return board;
    }

    [Fact]
    public void Curves_average_the_workers_per_epoch()
    {
        var curve = TwoWorkersTwoEpochs().Curve();

        // Epoch 1: train loss (0.6 + 0.4) / 2 = 0.5; only worker 0 evaluated: 0.80 and 0.50.
        // Epoch 2: train loss (0.3 + 0.2) / 2 = 0.25; accuracy (0.84 + 0.86) / 2 = 0.85, test loss (0.40 + 0.30) / 2 = 0.35.
        Assert.Equal(2, curve.Count);
        Assert.Equal((1, 0.5, 0.80, 0.50, 10000), Rounded(curve[0]));
        Assert.Equal((2, 0.25, 0.85, 0.35, 10000), Rounded(curve[1]));
    }

    [Fact]
    public void A_run_that_resumed_a_job_in_its_second_epoch_has_curves_and_an_accuracy_from_there()
    {
        var board = new ProgressBoard(workers: 1, epochs: 2);
        board.Apply(new WorkerStarted(0, "cpu", 600));
        board.Apply(new EpochEnd(0, 2, 0.3, 0.84, 0.40, 10000));
        board.Apply(new WorkerDone(0, 200, 4, 0.1));

        Assert.Equal([(2, 0.3, 0.84, 0.40, 10000)], board.Curve().Select(Rounded));
        Assert.Equal(0.84, board.Results("bsp", "cpu", seed: 1, wallSeconds: 5).TestAccuracy);
    }

    [Fact]
    public void Results_total_the_workers()
    {
        var results = TwoWorkersTwoEpochs().Results("ssp:2", "auto", seed: 4, wallSeconds: 12.5);

        // Samples/s: (600 + 400) samples over the longest training time, 10 s = 100; per worker 600 / 10 and 400 / 8.
        Assert.Equal(100, results.SamplesPerSecond, 1e-9);
        Assert.Equal([60.0, 50.0], results.PerWorker.Select(w => w.SamplesPerSecond));
        Assert.Equal([0.1, 0.2], results.StallFraction);
        Assert.Equal(0.85, results.TestAccuracy!.Value, 1e-12);
        Assert.Equal((10000, 2, 2, "ssp:2", "cpu", "auto", 4UL, 12.5),
            (results.TestSamples, results.Epochs, results.Workers, results.Consistency, results.Device, results.DeviceRequested, results.Seed, results.WallSeconds));
    }

    [Fact]
    public void Results_need_every_worker_done_or_lost_and_one_done()
    {
        var board = new ProgressBoard(workers: 2, epochs: 1);
        board.Apply(new WorkerDone(0, 10, 1, 0));

        Assert.Equal("worker 1 has neither reported done nor been lost", Assert.Throws<InvalidOperationException>(() => board.Results("bsp", "cpu", 1, 1)).Message);
        var lostBoard = new ProgressBoard(workers: 1, epochs: 1);
        lostBoard.Lose(0, pid: 7, exitCode: 137, "killed");
        Assert.Equal("no worker reported done", Assert.Throws<InvalidOperationException>(() => lostBoard.Results("bsp", "cpu", 1, 1)).Message);
    }

    [Fact]
    public void A_lost_worker_is_timed_from_the_first_start_and_keeps_its_last_step_report()
    {
        var time = new ManualTime();
        var board = new ProgressBoard(workers: 2, epochs: 2, time);
        time.Seconds = 100;
        board.Apply(new WorkerStarted(0, "cpu", 600));
        board.Apply(new StepProgress(0, 2, 3, 5, 0.7, 90, 0.1, 800));
        time.Seconds = 112.5;

        var loss = board.Lose(0, pid: 4321, exitCode: 137, "killed by signal 9 (SIGKILL), exit code 137");

        // 12.5 s after the first start, at epoch 2 step 3, having ended no epoch.
        Assert.Equal((4321, 137, 12.5, 2, 3, 0), (loss.Pid, loss.ExitCode, loss.Seconds, loss.Epoch, loss.Step, loss.EpochsDone));
        Assert.Same(loss, board.Lost(0));
    }

    [Fact]
    public void Each_epoch_is_timed_from_the_first_worker_start_to_its_last_worker_end()
    {
        var time = new ManualTime();
        var board = new ProgressBoard(workers: 2, epochs: 2, time);
        time.Seconds = 100;
        board.Apply(new WorkerStarted(0, "cpu", 600));
        time.Seconds = 101;
        board.Apply(new WorkerStarted(1, "cpu", 400));
        time.Seconds = 103.5;
        board.Apply(new EpochEnd(1, 1, 0.4, null, null, 0));
        time.Seconds = 104;
        board.Apply(new EpochEnd(0, 1, 0.6, 0.80, 0.50, 10000));
        time.Seconds = 109;
        board.Apply(new EpochEnd(0, 2, 0.3, 0.84, 0.40, 10000));

        var curve = board.Curve();

        // From the first start at 100 s: epoch 1 ended last at 104 s (4 s); epoch 2 so far only on worker 0, at 109 s (9 s).
        Assert.Equal([4.0, 9.0], curve.Select(p => p.Seconds));
    }

    /// <summary>A clock the test sets: <see cref="Seconds"/> since an arbitrary origin, in milliseconds.</summary>
    private sealed class ManualTime : TimeProvider
    {
        public double Seconds { get; set; }

        public override long TimestampFrequency => 1000;

        public override long GetTimestamp() => (long)(Seconds * 1000);
    }

    private static (int, double, double?, double?, int) Rounded(EpochPoint p) =>
        (p.Epoch, Math.Round(p.TrainLoss, 12), Math.Round(p.TestAccuracy!.Value, 12), Math.Round(p.TestLoss!.Value, 12), p.TestSamples);
}
