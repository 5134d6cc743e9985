using ParameterServer.Contracts;

namespace ParameterServer.Workers.Training;

/// <summary>
/// What a consistency mode asks of a worker between steps (DESIGN.md, "Consistency"). A worker that has finished
/// c steps needs every worker's updates through c - s before it computes step c + 1: it waits until the job's
/// minimum clock reaches c - s, then pulls the shards that changed.
/// <list type="bullet">
/// <item>BSP (s = 0): waits for every worker's step c. The shards sum the pushes of one clock and apply their
/// average as one update, so N workers on batch B follow the curve of one process on batch N * B.</item>
/// <item>SSP (s &gt;= 1): waits only when the slowest worker is more than s clocks behind; each push is one update
/// (Downpour-style). The pull for step c + 1 needs no push of step c, so it overlaps step c's computation.</item>
/// <item>Async: never waits; each push is one update, and each step pulls whatever is newest, also overlapped.</item>
/// </list>
/// Example: <c>var gate = new StalenessGate(ConsistencySpec.Ssp(1)); var min = gate.RequiredClock(done);</c>
/// </summary>
public sealed class StalenessGate
{
    private readonly ConsistencySpec _consistency;

    public StalenessGate(ConsistencySpec consistency)
    {
        ArgumentNullException.ThrowIfNull(consistency);
        consistency.Validate();
        _consistency = consistency;
    }

    /// <summary>
    /// The minimum clock of the job a worker must see before the step after its <paramref name="done"/>th, or null
    /// when it never waits (async). Never below 0, the clock every worker starts at.
    /// </summary>
    public long? RequiredClock(long done) => _consistency.Mode switch
    {
        ConsistencyMode.Bsp => done,
        ConsistencyMode.Ssp => Math.Max(0, done - _consistency.Staleness),
        _ => null,
    };

    /// <summary>
    /// True when the pull before step c + 1 does not wait for step c's push (SSP with s &gt;= 1, async): it is issued
    /// before step c computes and runs beside it. Under BSP (and SSP with s = 0) it follows step c's push.
    /// </summary>
    public bool PullsAhead => _consistency.Mode == ConsistencyMode.Async
        || (_consistency.Mode == ConsistencyMode.Ssp && _consistency.Staleness >= 1);
}
