namespace ParameterServer.Contracts;

[GenerateSerializer]
public enum ConsistencyMode
{
    /// <summary>Bulk synchronous: staleness 0; a shard sums the pushes of one clock and applies them once.</summary>
    Bsp = 0,
    /// <summary>Stale synchronous: a worker at clock c waits for every worker to reach c - s; each push is one update.</summary>
    Ssp = 1,
    /// <summary>Fully asynchronous: nobody waits; each push is one update.</summary>
    Async = 2,
}

/// <summary>How far workers may run ahead of each other. Parse from "bsp", "ssp:3" or "async".</summary>
[GenerateSerializer, Immutable]
public sealed record ConsistencySpec
{
    [Id(0)] public ConsistencyMode Mode { get; init; }
    [Id(1)] public int Staleness { get; init; }

    public static ConsistencySpec Bsp { get; } = new() { Mode = ConsistencyMode.Bsp };
    public static ConsistencySpec Async { get; } = new() { Mode = ConsistencyMode.Async };
    public static ConsistencySpec Ssp(int staleness) => new() { Mode = ConsistencyMode.Ssp, Staleness = staleness };

    public static ConsistencySpec Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "bsp") return Bsp;
        if (t == "async") return Async;
        if (t.StartsWith("ssp:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(4), out var s) && s >= 0) return Ssp(s);
        throw new ParameterServerException(ErrorCode.InvalidSpec, $"consistency '{text}' is not one of bsp, ssp:N (N >= 0), async");
    }

    public override string ToString() => Mode switch
    {
        ConsistencyMode.Bsp => "bsp",
        ConsistencyMode.Ssp => $"ssp:{Staleness}",
        _ => "async",
    };

    public void Validate()
    {
        if (!Enum.IsDefined(Mode) || Staleness < 0 || (Mode == ConsistencyMode.Bsp && Staleness != 0))
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"consistency {Mode} with staleness {Staleness} is not valid");
    }
}
