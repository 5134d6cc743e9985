using System.Net;
using ParameterServer.DataPlane;
using Xunit;

namespace ParameterServer.Tests.DataPlane;

/// <summary>A lane server on a free loopback port, with its log and snapshot source at hand.</summary>
internal sealed class TestLaneServer : IAsyncDisposable
{
    private TestLaneServer(LaneServer server, FakeSnapshotSource snapshots, LogCapture log)
    {
        Server = server;
        Snapshots = snapshots;
        Log = log;
    }

    public LaneServer Server { get; }

    public FakeSnapshotSource Snapshots { get; }

    public LogCapture Log { get; }

    public StagingArea Staging => Server.Staging;

    public IPEndPoint Endpoint => Server.Endpoint!;

    public static TestLaneServer Start(Action<LaneServerOptions>? configure = null)
    {
        var options = new LaneServerOptions
        {
            Address = IPAddress.Loopback,
            Port = 0,
            MaxPayloadBytes = 8 << 20,
            StagingCapacityBytes = 64 << 20,
        };
        configure?.Invoke(options);
        var snapshots = new FakeSnapshotSource();
        var log = new LogCapture();
        var server = new LaneServer(options, snapshots, log);
        server.Start();
        return new TestLaneServer(server, snapshots, log);
    }

    /// <summary>Waits for a condition the server reaches on its own lanes' threads (a lane noticing a cut, say).</summary>
    public static void Eventually(Func<bool> condition, string what) =>
        Assert.True(SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(5)), $"not within 5 s: {what}");

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
