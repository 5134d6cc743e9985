using ParameterServer.Contracts;
using ParameterServer.WorkerHost.Cli;

namespace ParameterServer.Workers.Tests.Launcher;

public sealed class LaunchOptionsTests
{
    private static readonly DateTime _now = new(2026, 1, 2, 3, 4, 5);

    [Fact]
    public void Defaults_train_two_workers_under_bsp_and_write_under_a_timestamped_run_directory()
    {
        var o = LaunchOptions.Parse([], _now);

        var run = Path.Combine(Environment.CurrentDirectory, "runs", "20260102-030405");
        Assert.Equal("/usr/share/datasets/fashion-mnist", o.DataDirectory);
        Assert.Equal((2, 12, ConsistencySpec.Bsp, "auto", 1UL), (o.Workers, o.Epochs, o.Consistency, o.Device, o.Seed));
        Assert.Equal(TimeSpan.FromSeconds(10), o.Lease);
        Assert.Equal((128, OptimizerKind.Adam, 0.002f, TensorEncoding.Fp32, false), (o.BatchSize, o.Optimizer, o.LearningRate, o.Encoding, o.Standalone));
        Assert.Equal(run, o.RunDirectory);
        Assert.Equal(Path.Combine(run, "results.json"), o.JsonPath);
        Assert.Equal(Path.Combine(run, "curves.png"), o.PlotPath);
        Assert.Null(o.SiloPath);
        Assert.Null(o.WorkerPath);
    }

    [Fact]
    public void Every_option_is_read()
    {
        var o = LaunchOptions.Parse(
        [
            "--data", "/d", "--workers", "4", "--epochs", "3", "--consistency", "async", "--device", "cpu", "--seed", "9",
            "--json", "/r/out.json", "--plot", "/r/out.png", "--silo", "/bin/paramserver", "--worker", "/bin/psworker.dll",
            "--batch-size", "32", "--optimizer", "SGD", "--learning-rate", "0.5", "--encoding", "bf16", "--lease", "3",
        ], _now);

        Assert.Equal(("/d", 4, 3, ConsistencySpec.Async, "cpu", 9UL), (o.DataDirectory, o.Workers, o.Epochs, o.Consistency, o.Device, o.Seed));
        Assert.Equal((32, OptimizerKind.Sgd, 0.5f, TensorEncoding.Bf16), (o.BatchSize, o.Optimizer, o.LearningRate, o.Encoding));
        Assert.Equal(TimeSpan.FromSeconds(3), o.Lease);
        Assert.Equal(("/r/out.json", "/r/out.png"), (o.JsonPath, o.PlotPath));
        Assert.Equal(("/bin/paramserver", "/bin/psworker.dll"), (o.SiloPath, o.WorkerPath));
    }

    [Fact]
    public void Standalone_runs_one_worker_and_refuses_more()
    {
        Assert.Equal((true, 1), (LaunchOptions.Parse(["--standalone"], _now).Standalone, LaunchOptions.Parse(["--standalone"], _now).Workers));

        var e = Assert.Throws<UsageException>(() => LaunchOptions.Parse(["--standalone", "--workers", "2"], _now));

        Assert.Equal("--standalone trains one worker without a parameter server; --workers 2 needs the server", e.Message);
    }

    [Fact]
    public void A_running_cluster_its_run_directory_and_pid_directory_are_read()
    {
        var o = LaunchOptions.Parse(["--connection-string", "UseDevelopmentStorage=true", "--cluster-id", "ps-local", "--run-dir", "/r", "--pid-dir", "/r/pids"], _now);

        Assert.Equal(("UseDevelopmentStorage=true", "ps-local"), (o.ConnectionString, o.ClusterId));
        Assert.Equal(("/r", "/r/pids", "/r/results.json"), (o.RunDirectory, o.PidDirectory, o.JsonPath));
    }

    [Fact]
    public void A_running_cluster_needs_its_id_and_is_not_standalone()
    {
        var noId = Assert.Throws<UsageException>(() => LaunchOptions.Parse(["--connection-string", "UseDevelopmentStorage=true"], _now));
        var standalone = Assert.Throws<UsageException>(() => LaunchOptions.Parse(["--standalone", "--connection-string", "x", "--cluster-id", "c"], _now));

        Assert.Equal("--cluster-id is required", noId.Message);
        Assert.Equal("--standalone trains without a parameter server; --connection-string names one", standalone.Message);
    }
}
