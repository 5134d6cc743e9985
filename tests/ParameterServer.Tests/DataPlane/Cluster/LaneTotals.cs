using ParameterServer.DataPlane;

namespace ParameterServer.Tests.DataPlane.Cluster;

/// <summary>Lane counters of one or more data ports, and their differences, so a test sees what its own transfers moved.</summary>
public readonly record struct LaneTotals(long Pushes, long PushBytes, long Pulls, long PullBytes)
{
    public static LaneTotals Of(LaneCounters counters) => new(counters.Pushes, counters.PushBytes, counters.Pulls, counters.PullBytes);

    public static LaneTotals operator +(LaneTotals a, LaneTotals b) =>
        new(a.Pushes + b.Pushes, a.PushBytes + b.PushBytes, a.Pulls + b.Pulls, a.PullBytes + b.PullBytes);

    public static LaneTotals operator -(LaneTotals a, LaneTotals b) =>
        new(a.Pushes - b.Pushes, a.PushBytes - b.PushBytes, a.Pulls - b.Pulls, a.PullBytes - b.PullBytes);
}
