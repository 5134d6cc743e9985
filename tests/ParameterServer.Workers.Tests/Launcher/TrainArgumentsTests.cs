using ParameterServer.Contracts;
using ParameterServer.WorkerHost.Cli;

namespace ParameterServer.Workers.Tests.Launcher;

public sealed class TrainArgumentsTests
{
    private static readonly TrainArguments _arguments = new()
    {
        GatewayPort = 30123,
        Model = "fashion-mnist-mlp",
        WorkerIndex = 1,
        Workers = 2,
        Epochs = 12,
        Consistency = ConsistencySpec.Ssp(3),
        Device = "cuda:0",
        Seed = 7,
        Data = "/usr/share/datasets/fashion-mnist",
    };

    private static readonly string[] _line =
    [
        "--gateway-port", "30123", "--model", "fashion-mnist-mlp", "--worker-index", "1", "--workers", "2", "--epochs", "12",
        "--consistency", "ssp:3", "--device", "cuda:0", "--seed", "7", "--data", "/usr/share/datasets/fashion-mnist",
    ];

    [Fact]
    public void Writes_the_documented_command_line()
    {
        Assert.Equal(_line, _arguments.ToArgs());
    }

    [Fact]
    public void Reads_the_documented_command_line()
    {
        Assert.Equal(_arguments, TrainArguments.Parse(_line));
    }

    [Fact]
    public void Every_option_is_required()
    {
        var withoutSeed = _line.Where((_, i) => i is not (14 or 15)).ToArray();

        var e = Assert.Throws<UsageException>(() => TrainArguments.Parse(withoutSeed));

        Assert.Equal("--seed is required", e.Message);
    }

    [Fact]
    public void A_worker_index_outside_the_workers_is_refused()
    {
        var line = (string[])_line.Clone();
        line[5] = "2";

        var e = Assert.Throws<UsageException>(() => TrainArguments.Parse(line));

        Assert.Equal("--worker-index 2 is not a whole number in 0..1", e.Message);
    }
}
