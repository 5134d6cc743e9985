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
        Lease = TimeSpan.FromSeconds(2.5),
        Epochs = 12,
        Consistency = ConsistencySpec.Ssp(3),
        Device = "cuda:0",
        Seed = 7,
        Data = "/usr/share/datasets/fashion-mnist",
        BatchSize = 128,
        Optimizer = OptimizerKind.AdamW,
        LearningRate = 0.002f,
        Encoding = TensorEncoding.Bf16,
    };

    private static readonly string[] _line =
    [
        "--gateway-port", "30123", "--model", "fashion-mnist-mlp", "--worker-index", "1", "--workers", "2", "--lease", "2.5", "--epochs", "12",
        "--consistency", "ssp:3", "--device", "cuda:0", "--seed", "7", "--data", "/usr/share/datasets/fashion-mnist",
        "--batch-size", "128", "--optimizer", "adamw", "--learning-rate", "0.002", "--encoding", "bf16",
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
        var withoutSeed = _line.Where((_, i) => i is not (16 or 17)).ToArray();

        var e = Assert.Throws<UsageException>(() => TrainArguments.Parse(withoutSeed));

        Assert.Equal("--seed is required", e.Message);
    }

    [Fact]
    public void A_worker_beyond_the_planned_ones_may_join_but_a_negative_index_is_refused()
    {
        var line = (string[])_line.Clone();
        line[5] = "2";
        Assert.Equal(_arguments with { WorkerIndex = 2 }, TrainArguments.Parse(line));

        line[5] = "-1";
        var e = Assert.Throws<UsageException>(() => TrainArguments.Parse(line));

        Assert.Equal($"--worker-index -1 is not a whole number in 0..{int.MaxValue}", e.Message);
    }

    [Fact]
    public void A_standalone_worker_needs_no_gateway_port()
    {
        var standalone = _arguments with { GatewayPort = 0, Standalone = true };
        string[] line = ["--standalone", .. _line[2..]];

        Assert.Equal(line, standalone.ToArgs());
        Assert.Equal(standalone, TrainArguments.Parse(line));
    }

    [Fact]
    public void A_worker_of_an_azure_cluster_names_its_storage_account_and_cluster_instead_of_a_gateway_port()
    {
        var azure = _arguments with { GatewayPort = 0, ConnectionString = "UseDevelopmentStorage=true", ClusterId = "ps-local" };
        string[] line = ["--connection-string", "UseDevelopmentStorage=true", "--cluster-id", "ps-local", .. _line[2..]];

        Assert.Equal(line, azure.ToArgs());
        Assert.Equal(azure, TrainArguments.Parse(line));
        Assert.Equal("--cluster-id is required", Assert.Throws<UsageException>(() => TrainArguments.Parse([.. line[..2], .. line[4..]])).Message);
    }

    [Theory]
    [InlineData("--optimizer", "lamb", "--optimizer lamb is not one of sgd, momentum, adagrad, adam, adamw")]
    [InlineData("--learning-rate", "0", "--learning-rate 0 is not a number greater than 0")]
    [InlineData("--encoding", "int8", "--encoding int8 is not one of fp32, bf16, fp16")]
    [InlineData("--lease", "0", "--lease 0 is not a number greater than 0")]
    [InlineData("--lease", "90000", "--lease 90000 is more than a day (86400 seconds)")]
    public void Hyper_parameters_of_the_wrong_kind_are_refused(string name, string value, string message)
    {
        var line = (string[])_line.Clone();
        line[Array.IndexOf(line, name) + 1] = value;

        var e = Assert.Throws<UsageException>(() => TrainArguments.Parse(line));

        Assert.Equal(message, e.Message);
    }
}
