using ParameterServer.Contracts;
using ParameterServer.WorkerHost.Cli;

namespace ParameterServer.Workers.Tests.Launcher;

public sealed class CommandLineOptionsTests
{
    private static readonly string[] _names = ["--workers", "--consistency", "--device", "--data"];

    [Fact]
    public void Reads_name_value_pairs_in_both_spellings()
    {
        var o = CommandLineOptions.Parse(["--workers=3", "--consistency", "SSP:2", "--device", "CUDA:1"], _names);

        Assert.Equal(3, o.Int("--workers", fallback: 2, min: 1));
        Assert.Equal(ConsistencySpec.Ssp(2), o.Consistency("--consistency"));
        Assert.Equal("cuda:1", o.Device("--device"));
        Assert.Equal("/default", o.Text("--data", "/default"));
        Assert.Null(o.OptionalText("--data"));
    }

    [Theory]
    [InlineData(new[] { "--wrokers", "3" }, "unknown option --wrokers; options are --workers, --consistency, --device, --data")]
    [InlineData(new[] { "--workers", "3", "--workers", "4" }, "--workers is given twice")]
    [InlineData(new[] { "--workers" }, "--workers needs a value")]
    [InlineData(new[] { "3" }, "unexpected argument '3'; options are --workers, --consistency, --device, --data")]
    public void Malformed_command_lines_are_refused(string[] args, string message)
    {
        var e = Assert.Throws<UsageException>(() => CommandLineOptions.Parse(args, _names));

        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("--workers", "0", "--workers 0 is not a whole number in 1..64")]
    [InlineData("--workers", "two", "--workers two is not a whole number in 1..64")]
    [InlineData("--consistency", "ssp", "--consistency: consistency 'ssp' is not one of bsp, ssp:N (N >= 0), async")]
    [InlineData("--device", "gpu", "--device: device 'gpu' is not one of auto, cpu, cuda, cuda:N")]
    [InlineData("--data", "", "--data must not be empty")]
    public void Values_of_the_wrong_kind_are_refused_naming_the_option(string name, string value, string message)
    {
        var o = CommandLineOptions.Parse([name, value], _names);

        var e = Assert.Throws<UsageException>(() =>
        {
            _ = name switch
            {
                "--workers" => (object)o.Int(name, min: 1, max: 64),
                "--consistency" => o.Consistency(name),
                "--device" => o.Device(name),
                _ => o.Text(name),
            };
        });

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_flag_is_given_or_not_and_takes_no_value()
    {
        string[] flags = ["--standalone"];

        Assert.True(CommandLineOptions.Parse(["--workers", "1", "--standalone"], _names, flags).Flag("--standalone"));
        Assert.False(CommandLineOptions.Parse(["--workers", "1"], _names, flags).Flag("--standalone"));
        Assert.Equal("--standalone takes no value",
            Assert.Throws<UsageException>(() => CommandLineOptions.Parse(["--standalone=yes"], _names, flags)).Message);
        Assert.Equal("--standalone is given twice",
            Assert.Throws<UsageException>(() => CommandLineOptions.Parse(["--standalone", "--standalone"], _names, flags)).Message);
    }
}
