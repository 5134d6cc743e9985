using ParameterServer.Contracts;
using ParameterServer.Grains.Models;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Unit;

/// <summary>Job membership: clocks, leases and the minimum over the live workers.</summary>
public sealed class WorkerClocksTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Minimum_and_maximum_are_over_live_workers()
    {
        var workers = new WorkerClocks();
        Assert.Null(workers.MinClock);
        workers.Join("a", 0, T0);
        workers.Join("b", 0, T0);
        workers.Report("a", 3, T0);
        workers.Report("b", 1, T0);

        Assert.Equal((1L, 3L), (workers.MinClock, workers.MaxClock));
        Assert.Equal(1, workers.Leave("b"));
        Assert.Equal((3L, 3L), (workers.MinClock, workers.MaxClock));
        Assert.Null(workers.Leave("b"));
    }

    [Fact]
    public void Clocks_never_go_back()
    {
        var workers = new WorkerClocks();
        workers.Join("a", 0, T0);
        workers.Report("a", 5, T0);
        workers.Report("a", 2, T0);

        Assert.Equal(5, workers.MinClock);
    }

    [Fact]
    public void Rejoining_keeps_the_clock_and_renews_the_lease()
    {
        var workers = new WorkerClocks();
        workers.Join("a", 2, T0);
        workers.Report("a", 4, T0);

        Assert.Equal(4, workers.Join("a", 0, T0.AddSeconds(9)));
        Assert.Empty(workers.Expire(T0.AddSeconds(15), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Leases_expire_without_heartbeat_or_report()
    {
        var workers = new WorkerClocks();
        workers.Join("silent", 0, T0);
        workers.Join("beating", 0, T0);
        workers.Join("reporting", 0, T0);
        workers.Heartbeat("beating", T0.AddSeconds(8));
        workers.Report("reporting", 1, T0.AddSeconds(8));
        workers.Report("silent", 2, T0);

        Assert.Equal([("silent", 2L)], workers.Expire(T0.AddSeconds(11), TimeSpan.FromSeconds(10)));
        Assert.Equal(["beating", "reporting"], workers.Statuses().Select(w => w.WorkerId));
    }

    [Fact]
    public void Unknown_worker_is_refused()
    {
        var workers = new WorkerClocks();

        Assert.Equal(ErrorCode.UnknownWorker, Assert.Throws<ParameterServerException>(() => workers.Report("ghost", 1, T0)).Code);
        Assert.Equal(ErrorCode.UnknownWorker, Assert.Throws<ParameterServerException>(() => workers.Heartbeat("ghost", T0)).Code);
    }
}
