using System.Text.RegularExpressions;
using ParameterServer.Client;
using ParameterServer.DataPlane;
using ParameterServer.Host.Chaos;
using ParameterServer.Tests.Processes;
using Xunit;
using Xunit.Abstractions;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// Hostile input for a bounded time against a <c>paramserver silo</c> process, on its gateway and its data port: every
/// bad request is refused with its error code, the silo stays up, times out each stalled lane (as its log says),
/// gives back all its staging memory, and leaves the parameter state bit-for-bit unchanged.
/// </summary>
[Collection(ProcessCollection.Name)]
[Trait("Category", ProcessCollection.Category)]
public sealed partial class ChaosProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(20);

    private readonly string _directory = Directory.CreateTempSubdirectory("ps-chaos-process-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_silo_process_refuses_every_bad_request_for_a_while_and_keeps_its_state_and_its_memory()
    {
        var clusterId = $"ps-{Guid.NewGuid():N}";
        await using var silo = await SiloProcess.StartAsync(_directory, "silo",
            ["--cluster-id", clusterId, "--data-dir", Path.Combine(_directory, "data"), .. ChaosTests.SiloOptions]);
        await using var client = await ParameterServerClient.ConnectAsync(new ConnectionOptions
        {
            GatewayPort = silo.GatewayPort, ClusterId = clusterId, ConnectTimeout = TimeSpan.FromSeconds(60),
        });

        var report = await new ChaosRun(client, new ChaosOptions(Seed: 3, Requests: int.MaxValue, Duration, ChaosTests.LaneTimeout))
            .RunAsync(CancellationToken.None);
        using (var text = new StringWriter())
        {
            report.Write(text);
            output.WriteLine(text.ToString());
        }

        Assert.Empty(report.Failures);
        Assert.Equal(report.Sent, report.Refused);
        Assert.All(report.Kinds, k => Assert.True(k.Sent > 0, $"{k.Kind} was never sent"));
        Assert.Equal(report.Before, report.After);
        Assert.Equal(1, report.DataPorts);
        Assert.True(report.Passed);
        Assert.False(silo.HasExited, $"the silo exited:\n{silo.Output}");
        // The silo itself says it closed each stalled lane at its frame timeout.
        var stalls = report.Kinds.Single(k => k.Expected.Lane == LaneError.Disconnected).Sent;
        Assert.Equal(stalls, FrameTimeoutLine().Count(silo.Output));
        Assert.DoesNotMatch(CriticalLine(), silo.Output);
    }

    [GeneratedRegex("a frame took longer than")]
    private static partial Regex FrameTimeoutLine();

    // The console logger's prefix of an error or a critical line.
    [GeneratedRegex(@"\b(fail|crit): ")]
    private static partial Regex CriticalLine();
}
