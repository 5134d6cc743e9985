using ParameterServer.Workers.Progress;

namespace ParameterServer.Workers.Tests.Progress;

public sealed class ProgressProtocolTests
{
    public static TheoryData<ProgressRecord> Records() =>
    [
        new WorkerStarted(0, "cuda:0", 30000),
        new StepProgress(1, 3, 117, 235, 0.4321, 12345.5, 0.031, 551_424),
        new EpochEnd(1, 3, 0.41, 0.8712, 0.362, 10000),
        new EpochEnd(0, 2, 0.5, null, null, 0),
        new WorkerDone(1, 600000, 41.25, 0.02),
        new WorkerError(0, "cannot reach the cluster: \"localhost:30000\"\nretry later"),
    ];

    [Theory]
    [MemberData(nameof(Records))]
    public void Every_record_survives_a_round_trip(ProgressRecord record)
    {
        var line = ProgressProtocol.Format(record);

        Assert.StartsWith("@ps {", line);
        Assert.DoesNotContain('\n', line);
        Assert.Equal(record, ProgressProtocol.Parse(line));
    }

    [Fact]
    public void Reads_the_documented_line_format()
    {
        const string line = """@ps {"type":"step","worker":1,"epoch":2,"step":10,"steps_in_epoch":235,"loss":0.5,"samples_per_second":9000,"stall_fraction":0.25,"samples":31280}""";

        Assert.Equal(new StepProgress(1, 2, 10, 235, 0.5, 9000, 0.25, 31_280), ProgressProtocol.Parse(line));
    }

    [Fact]
    public void Writes_snake_case_fields_with_the_type_first()
    {
        var line = ProgressProtocol.Format(new EpochEnd(0, 1, 0.5, 0.75, 0.625, 10000));

        Assert.Equal("""@ps {"type":"epoch","worker":0,"epoch":1,"train_loss":0.5,"test_accuracy":0.75,"test_loss":0.625,"test_samples":10000}""", line);
    }

    [Fact]
    public void A_diverged_loss_is_reported_as_NaN()
    {
        var parsed = (StepProgress?)ProgressProtocol.Parse(ProgressProtocol.Format(new StepProgress(0, 1, 1, 10, double.NaN, 1, 0)));

        Assert.True(double.IsNaN(parsed!.Loss));
    }

    [Theory]
    [InlineData("info: Orleans.Runtime.Silo[100401] silo starting")]
    [InlineData("")]
    [InlineData("@ps")]
    [InlineData("@psx {\"type\":\"done\",\"worker\":0}")]
    [InlineData(" @ps {\"type\":\"done\",\"worker\":0}")]
    [InlineData("@ps not json")]
    [InlineData("@ps {\"type\":\"done\",\"worker\":0")]
    [InlineData("@ps {\"type\":\"teleported\",\"worker\":0}")]
    [InlineData("@ps [1,2,3]")]
    public void Anything_else_is_a_log_line(string line)
    {
        Assert.Null(ProgressProtocol.Parse(line));
    }

    [Fact]
    public void Tolerates_fields_it_does_not_know_and_the_type_anywhere()
    {
        const string line = """@ps {"worker":2,"samples":10,"gpu_temperature":71,"train_seconds":1.5,"stall_fraction":0,"type":"done"}""";

        Assert.Equal(new WorkerDone(2, 10, 1.5, 0), ProgressProtocol.Parse(line));
    }
}
