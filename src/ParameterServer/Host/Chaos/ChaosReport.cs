namespace ParameterServer.Host.Chaos;

/// <summary>How many requests of one kind were sent and how many got the expected refusal.</summary>
internal sealed record KindTally(string Kind, Refusal Expected, int Sent, int Refused);

/// <summary>
/// The outcome of a <see cref="ChaosRun"/>: what was sent, what went wrong, the state checksums around it, and how many
/// data ports were checked to give their staging memory back (0: none, the lane kinds were not sent).
/// </summary>
internal sealed record ChaosReport(int Seed, TimeSpan Elapsed, IReadOnlyList<KindTally> Kinds, IReadOnlyList<string> Failures,
    StateChecksum Before, StateChecksum After, int DataPorts)
{
    public int Sent => Kinds.Sum(k => k.Sent);

    public int Refused => Kinds.Sum(k => k.Refused);

    /// <summary>Every request refused as expected, the state unchanged, and the cluster still applying valid pushes.</summary>
    public bool Passed => Refused == Sent && Failures.Count == 0 && Before == After;

    public void Write(TextWriter output)
    {
        output.WriteLine($"chaos: {Sent} bad requests in {Elapsed.TotalSeconds:F1} s (seed {Seed}), {Refused} refused with the expected error");
        foreach (var k in Kinds)
            output.WriteLine($"  {k.Sent,6} {k.Refused,6}  {k.Expected,-20} {k.Kind}");
        output.WriteLine($"state before: {Before}");
        output.WriteLine($"state after:  {After}{(Before == After ? " (unchanged)" : " (CHANGED)")}");
        output.WriteLine(DataPorts == 0
            ? "data ports: none, the lane kinds were not sent"
            : $"data ports: {DataPorts} checked to take a push of the largest shard after the run (staging given back)");
        foreach (var f in Failures)
            output.WriteLine($"failure: {f}");
        output.WriteLine(Passed ? "chaos: passed" : "chaos: FAILED");
    }
}
