using ParameterServer.Grains.Storage;
using Xunit;

namespace ParameterServer.Tests.Storage;

public class LocalCheckpointStorageOptionsValidatorTests
{
    [Theory]
    [InlineData("", "is empty")]
    [InlineData("  ", "is empty")]
    [InlineData("data/checkpoints", "'data/checkpoints' is relative")]
    [InlineData("./checkpoints", "is relative")]
    public void Refuses_an_empty_or_relative_directory(string directory, string expected)
    {
        var validator = new LocalCheckpointStorageOptionsValidator(new LocalCheckpointStorageOptions { Directory = directory }, "checkpoints");

        var e = Assert.Throws<OrleansConfigurationException>(validator.ValidateConfiguration);

        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Refuses_a_lock_timeout_that_is_not_positive()
    {
        var options = new LocalCheckpointStorageOptions { Directory = "/var/lib/checkpoints", LockTimeout = TimeSpan.Zero };

        var e = Assert.Throws<OrleansConfigurationException>(new LocalCheckpointStorageOptionsValidator(options, "checkpoints").ValidateConfiguration);

        Assert.Contains("lock timeout", e.Message);
    }

    [Fact]
    public void Accepts_an_absolute_directory()
    {
        var options = new LocalCheckpointStorageOptions { Directory = "/var/lib/checkpoints" };

        new LocalCheckpointStorageOptionsValidator(options, "checkpoints").ValidateConfiguration();
    }
}
