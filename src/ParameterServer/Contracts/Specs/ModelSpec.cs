namespace ParameterServer.Contracts;

/// <summary>
/// A model (training job): its named tables and how workers stay consistent.
/// Creating a model that exists with the same spec is a no-op; with a different spec it is an error.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ModelSpec
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required IReadOnlyList<TableSpec> Tables { get; init; }
    [Id(2)] public ConsistencySpec Consistency { get; init; } = ConsistencySpec.Bsp;

    /// <summary>
    /// How long a worker stays a member of the job without a heartbeat or clock report. When it runs out, the minimum
    /// clock stops waiting for the worker and its data partitions go to the others.
    /// </summary>
    [Id(3)] public TimeSpan WorkerLease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many partitions the training data is cut into: normally the number of workers planned. The job assigns
    /// them to its workers and moves them when workers leave, die or join (DESIGN.md, "Fault tolerance"). 0: the job
    /// assigns no data.
    /// </summary>
    [Id(4)] public int Partitions { get; init; }

    public TableSpec? FindTable(string name)
    {
        foreach (var t in Tables)
            if (t.Name == name) return t;
        return null;
    }

    /// <summary>Value equality, tables compared element by element (records compare lists by reference).</summary>
    public bool SameAs(ModelSpec other) =>
        Name == other.Name && Consistency == other.Consistency && WorkerLease == other.WorkerLease
        && Partitions == other.Partitions && Tables.SequenceEqual(other.Tables);

    /// <summary>Throws <see cref="ParameterServerException"/> when the spec cannot be served.</summary>
    public void Validate()
    {
        Names.Validate(Name, "model");
        // A spec that arrives through a grain call was never checked by a constructor: required members may be null.
        if (Tables is null || Tables.Count == 0) throw new ParameterServerException(ErrorCode.InvalidSpec, $"model '{Name}' has no tables");
        if (WorkerLease <= TimeSpan.Zero) throw new ParameterServerException(ErrorCode.InvalidSpec, $"model '{Name}': worker lease must be positive");
        if (Partitions is < 0 or > Limits.MaxPartitions)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"model '{Name}': {Partitions} partitions is not in 0..{Limits.MaxPartitions}");
        if (Consistency is null) throw new ParameterServerException(ErrorCode.InvalidSpec, $"model '{Name}' has no consistency");
        Consistency.Validate();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long shards = 0;
        foreach (var t in Tables)
        {
            if (t is null) throw new ParameterServerException(ErrorCode.InvalidSpec, $"model '{Name}' has a null table");
            t.Validate();
            if (!seen.Add(t.Name)) throw new ParameterServerException(ErrorCode.InvalidSpec, $"model '{Name}' has two tables named '{t.Name}'");
            shards += new TableLayout(t).ShardCount;
        }
        // Creating a model activates and checkpoints every shard at once: a bound keeps one request from flooding the cluster.
        if (shards > Limits.MaxShardsPerModel)
            throw new ParameterServerException(ErrorCode.InvalidSpec, $"model '{Name}' has {shards} shards, more than the limit of {Limits.MaxShardsPerModel}");
    }
}
