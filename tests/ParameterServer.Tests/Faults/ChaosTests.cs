using ParameterServer.Contracts;
using ParameterServer.Host.Chaos;
using ParameterServer.Host.Commands;
using ParameterServer.Tests.Cli;
using ParameterServer.Tests.Client;
using Xunit;
using static ParameterServer.Tests.Cli.CliRun;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// Hostile input against a running silo (<c>paramserver silo</c> on a TCP gateway and a data port, reached by a client
/// as users connect): every bad request, grain call or frame, is refused with its error code, the whole parameter state
/// is bit-for-bit unchanged, and staging gives back all it held.
/// </summary>
public sealed class ChaosTests : IAsyncLifetime
{
    /// <summary>
    /// Stalled lanes are closed after a second; staging holds one buffer of the largest shard, so the run's closing
    /// check (a push of that size is taken) shows that nothing else is left in it.
    /// </summary>
    internal static readonly string[] SiloOptions = ["--DataPlane:FrameTimeoutSeconds", "1", "--DataPlane:StagingMemoryMiB", "32"];
    internal static readonly TimeSpan LaneTimeout = TimeSpan.FromSeconds(1);

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("ps-chaos-").FullName;
    private InProcessSilo _silo = null!;

    public async Task InitializeAsync() => _silo = await InProcessSilo.StartAsync(_dataDirectory, extraArgs: SiloOptions);

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Every_bad_request_is_refused_with_its_error_and_the_state_is_unchanged()
    {
        await using var client = await _silo.ConnectAsync();

        var report = await new ChaosRun(client, new ChaosOptions(Seed: 1, Requests: 1500, Duration: TimeSpan.FromMinutes(2), LaneTimeout))
            .RunAsync(CancellationToken.None);

        Assert.Empty(report.Failures);
        Assert.Equal(1500, report.Sent);
        Assert.Equal(report.Sent, report.Refused);
        // At 1500 draws the rarest kinds (weight 1 of 101) are expected 15 times each: every kind is tried.
        Assert.All(report.Kinds, k => Assert.True(k.Sent > 0, $"{k.Kind} was never sent"));
        // The chaos models' shards: 3 + 2 of chaos-async (10 rows by 4, 6 rows by 3), 2 of chaos-bsp (8 rows by 4).
        Assert.Equal((2, 7), (report.Before.Models, report.Before.Shards));
        Assert.Equal(report.Before, report.After);
        Assert.Equal(1, report.DataPorts);
        Assert.True(report.Passed);
    }

    [Fact]
    public async Task The_run_fails_when_a_data_port_keeps_staging_memory()
    {
        await using var client = await _silo.ConnectAsync();
        await client.CreateModelAsync(ChaosTargets.AsyncModel);
        // A push nobody commits holds 16 bytes of staging until its token expires (30 s), longer than the run waits.
        await BadFrames.StageAsync(new ChaosTargets(client.Grains, seed: 1, LaneTimeout), new Random(1), ChaosTargets.AllShards().First(), new byte[16]);

        var report = await new ChaosRun(client, new ChaosOptions(Seed: 1, Requests: 0, Duration: TimeSpan.FromMinutes(1), LaneTimeout))
            .RunAsync(CancellationToken.None);

        Assert.False(report.Passed);
        Assert.Contains(report.Failures, f => f.Contains($"did not take a push of {32 << 20} bytes after the run") && f.Contains("staging is full"));
    }

    [Fact]
    public async Task The_state_checksum_sees_a_single_update()
    {
        await using var client = await _silo.ConnectAsync();
        var model = await client.CreateModelAsync(SgdTable.Model("checksum", ConsistencySpec.Async));
        var before = await StateChecksum.ComputeAsync(client, CancellationToken.None);

        await model.PushAsync("w", new float[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.125f });

        Assert.NotEqual(before.Value, (await StateChecksum.ComputeAsync(client, CancellationToken.None)).Value);
    }

    [Fact]
    public async Task The_chaos_command_reports_the_requests_it_sent_and_passes()
    {
        var result = await Run(["chaos", "--requests", "300", "--seconds", "120", "--seed", "2", "--lane-timeout", "1", .. _silo.CliOptions]);

        Assert.Equal(ExitCodes.Ok, result.Code);
        Assert.StartsWith("chaos: 300 bad requests in ", result.Out);
        Assert.Contains("s (seed 2), 300 refused with the expected error", result.Out);
        Assert.Contains("(unchanged)", result.Out);
        Assert.Contains("data ports: 1 checked to take a push of the largest shard after the run", result.Out);
        Assert.EndsWith("chaos: passed", result.Out.TrimEnd());
    }
}
