using System.Net;
using ParameterServer.DataPlane;
using Xunit;

namespace ParameterServer.Tests.DataPlane;

/// <summary>A lane server on a free loopback port, with its log, snapshot source and committer at hand.</summary>
internal sealed class TestLaneServer : IAsyncDisposable
{
    private TestLaneServer(LaneServer server, FakeSnapshotSource snapshots, FakeCommitter committer, LogCapture log)
    {
        Server = server;
        Snapshots = snapshots;
        Committer = committer;
        Log = log;
    }

    public LaneServer Server { get; }

    public FakeSnapshotSource Snapshots { get; }

    public FakeCommitter Committer { get; }

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
        var committer = new FakeCommitter();
        var log = new LogCapture();
        var server = new LaneServer(options, snapshots, committer, log);
        committer.Staging = server.Staging;
        server.Start();
        return new TestLaneServer(server, snapshots, committer, log);
    }

    /// <summary>Waits for a condition the server reaches on its own lanes' threads (a lane noticing a cut, say).</summary>
    public static void Eventually(Func<bool> condition, string what) =>
        Assert.True(SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(5)), $"not within 5 s: {what}");

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
