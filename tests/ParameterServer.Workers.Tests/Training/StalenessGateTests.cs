using ParameterServer.Contracts;
using ParameterServer.Workers.Training;

namespace ParameterServer.Workers.Tests.Training;

/// <summary>DESIGN.md's clock protocol: after c steps, a worker needs the job's minimum clock at c - s before step c + 1.</summary>
public sealed class StalenessGateTests
{
    [Theory]
    [InlineData("bsp", 0, 0L)]
    [InlineData("bsp", 7, 7L)]
    [InlineData("ssp:0", 7, 7L)]
    [InlineData("ssp:3", 7, 4L)]
    [InlineData("ssp:3", 2, 0L)]
    [InlineData("async", 7, null)]
    public void The_required_clock_is_the_steps_done_minus_the_staleness(string consistency, long done, long? required)
    {
        Assert.Equal(required, new StalenessGate(ConsistencySpec.Parse(consistency)).RequiredClock(done));
    }

    [Theory]
    [InlineData("bsp", false)]
    [InlineData("ssp:0", false)]
    [InlineData("ssp:1", true)]
    [InlineData("async", true)]
    public void The_next_pull_overlaps_a_step_only_when_it_does_not_need_that_steps_push(string consistency, bool ahead)
    {
        Assert.Equal(ahead, new StalenessGate(ConsistencySpec.Parse(consistency)).PullsAhead);
    }

    [Fact]
    public void An_invalid_consistency_is_refused()
    {
        var e = Assert.Throws<ParameterServerException>(() => new StalenessGate(new ConsistencySpec { Mode = ConsistencyMode.Bsp, Staleness = 2 }));

        Assert.Equal(ParameterServer.Contracts.ErrorCode.InvalidSpec, e.Code);
    }
}
