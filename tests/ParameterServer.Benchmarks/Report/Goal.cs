namespace ParameterServer.Benchmarks.Report;

/// <summary>
/// What a figure must reach: a bound on its ratio to the reference (the usual case: "at least 0.8 of a raw socket"),
/// or on its value where the issue states an absolute bound (a stall fraction under 0.1, at most 1 CPU-second per GB).
/// </summary>
public sealed record Goal(double Limit, bool AtMost, bool OnValue)
{
    public static Goal RatioAtLeast(double limit) => new(limit, AtMost: false, OnValue: false);

    public static Goal ValueAtMost(double limit) => new(limit, AtMost: true, OnValue: true);

    /// <summary>Whether <paramref name="judged"/> (the ratio or the value, as <see cref="OnValue"/> says) meets the bound.</summary>
    public bool IsMetBy(double judged) => AtMost ? judged <= Limit : judged >= Limit;

    public override string ToString() => $"{(OnValue ? "" : "ratio ")}{(AtMost ? "<=" : ">=")} {Limit:0.###}";
}
