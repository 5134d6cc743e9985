using ParameterServer.Contracts;
using Xunit;

namespace ParameterServer.Tests.Cluster;

/// <summary>
/// A silo holds a wait for a clock at most its limit (here 300 ms), an infinite one too, and waits for any number of
/// clocks share one signal: callers cannot pile up waits that outlive them. How a wait is released when its clock is
/// reached, or when the last worker goes, SspGatingTests and BspTests show.
/// </summary>
[Collection(LimitedSiloCollection.Name)]
public sealed class ClockWaitTests(LimitedSiloFixture fixture)
{
    private static readonly TableSpec Table = new() { Name = "w", Rows = 2, Cols = 2 };

    [Fact]
    public async Task Waits_for_clocks_never_reached_end_at_the_limit_even_infinite_ones()
    {
        var spec = await fixture.Grains.CreateModel("waits", ConsistencySpec.Ssp(1), Table);
        var model = fixture.Grains.GetGrain<IModelGrain>(spec.Name);
        // A member at clock 0 that never reports: no wait below can be satisfied.
        await model.Join("idle");

        // 200 distinct clocks, up to absurdly far ahead, with infinite and the longest timeouts.
        var waits = Enumerable.Range(1, 200).Select(i => model.WaitForMinClock(
            i % 2 == 0 ? i : long.MaxValue - i,
            i % 3 == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(int.MaxValue))).ToArray();

        // Each ends at the 300 ms limit with the clock reached, 0; without the limit none would ever end.
        var reached = await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.All(reached, r => Assert.Equal(0, r));
    }
}
