using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ParameterServer.Contracts;
using ParameterServer.Host.Commands;
using ParameterServer.Tests.Client;
using Xunit;

namespace ParameterServer.Tests.Cli;

/// <summary><c>paramserver silo</c> on its embedded defaults: local checkpoints under its data directory, kept across restarts.</summary>
public sealed class SiloCommandTests : IDisposable
{
    // A policy that never fires within the test: only the graceful stop can write the pushes.
    private static readonly string[] NoBackgroundCheckpoints = ["--checkpoint-every", "1000000", "--checkpoint-interval", "01:00:00"];

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("ps-silo-").FullName;

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Fact]
    public async Task A_stopped_silo_checkpoints_its_shards_and_the_next_one_resumes_from_them()
    {
        var spec = SgdTable.Model("restart", ConsistencySpec.Async);
        var first = await InProcessSilo.StartAsync(_dataDirectory, extraArgs: NoBackgroundCheckpoints);
        await using (var client = await first.ConnectAsync())
        {
            var model = await client.CreateModelAsync(spec);
            await model.PushAsync("w", SgdTable.Gradient);
            await model.PushAsync("w", SgdTable.Gradient);
        }
        var stopped = await first.StopAsync();

        await using var second = await InProcessSilo.StartAsync(_dataDirectory, first.ClusterId, extraArgs: NoBackgroundCheckpoints);
        await using var reconnected = await second.ConnectAsync();
        var reopened = await reconnected.OpenModelAsync(spec.Name);
        var values = new float[12];
        await reopened.PullAsync("w", values);
        var status = await reopened.GetTableStatusAsync("w");

        Assert.Equal((ExitCodes.Ok, ""), stopped);
        // Two SGD steps of lr 0.5 from 1: w = 1 - 0.5 g - 0.5 g = 1 - g, exact for these g.
        Assert.Equal(new float[] { 0.75f, 1.5f, 0, -1, 1, 0.875f, -3, 5, 0.5f, 0.25f, 2, -2 }, values);
        Assert.All(status.Shards, s => Assert.Equal((2L, 2L), (s.Info.Version, s.Info.CheckpointedVersion)));
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(_dataDirectory, "checkpoints"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_checkpoint_policy_the_grains_refuse_is_a_usage_error()
    {
        var result = await CliRun.Run("silo", "--checkpoint-every", "0", "--data-dir", _dataDirectory, "--data-port", "-1",
            "--gateway-port", ConnectTests.FreePort().ToString(CultureInfo.InvariantCulture), "--silo-port", ConnectTests.FreePort().ToString(CultureInfo.InvariantCulture));

        CliRun.AssertFailure(result, ExitCodes.Usage, "EveryUpdates");
    }

    [Fact]
    public async Task A_frame_timeout_the_data_port_refuses_is_a_usage_error()
    {
        var result = await CliRun.Run("silo", "--DataPlane:FrameTimeoutSeconds", "0", "--data-dir", _dataDirectory, "--data-port", "-1",
            "--gateway-port", ConnectTests.FreePort().ToString(CultureInfo.InvariantCulture), "--silo-port", ConnectTests.FreePort().ToString(CultureInfo.InvariantCulture));

        CliRun.AssertFailure(result, ExitCodes.Usage, "FrameTimeout must be positive");
    }

    [Fact]
    public async Task A_gateway_port_in_use_is_a_usage_error_that_names_it()
    {
        using var taken = new TcpListener(IPAddress.Any, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);

        var result = await CliRun.Run("silo", "--gateway-port", port, "--silo-port", ConnectTests.FreePort().ToString(CultureInfo.InvariantCulture),
            "--data-port", "-1", "--data-dir", _dataDirectory);

        CliRun.AssertFailure(result, ExitCodes.Usage, $"gateway port {port} is in use");
    }

    [Fact]
    public async Task A_data_port_in_use_is_a_usage_error_that_names_it()
    {
        using var taken = new TcpListener(IPAddress.Any, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);

        var result = await CliRun.Run("silo", "--data-port", port, "--gateway-port", ConnectTests.FreePort().ToString(CultureInfo.InvariantCulture),
            "--silo-port", ConnectTests.FreePort().ToString(CultureInfo.InvariantCulture), "--data-dir", _dataDirectory);

        CliRun.AssertFailure(result, ExitCodes.Usage, $"data port {port} is in use; --data-port takes another");
    }

    [Theory]
    [InlineData("--data-port", "70000", "Port must be a TCP port, 0 (off) or -1 (any free port), not 70000")]
    [InlineData("--DataPlane:StagingMemoryMiB", "1", "StagingCapacityBytes must be at least 33554432")]
    [InlineData("--DataPlane:MaxLanes", "0", "MaxLanes must be positive, not 0")]
    [InlineData("--Models:MaxModelBytes", "0", "MaxModelBytes must be positive")]
    [InlineData("--Models:MaxClockWait", "00:00:00", "MaxClockWait must be positive")]
    public async Task A_data_port_or_model_limit_the_silo_refuses_is_a_usage_error(string option, string value, string message)
    {
        var result = await CliRun.Run("silo", option, value, "--gateway-port", ConnectTests.FreePort().ToString(CultureInfo.InvariantCulture),
            "--silo-port", ConnectTests.FreePort().ToString(CultureInfo.InvariantCulture), "--data-dir", _dataDirectory);

        CliRun.AssertFailure(result, ExitCodes.Usage, message);
    }
}
