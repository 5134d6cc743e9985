using ParameterServer.Contracts;

namespace ParameterServer.Grains.Models;

/// <summary>
/// Which live worker holds each of a job's data partitions, the clock through which each was trained before its
/// holder got it, and which live worker evaluates the model after each epoch (the <see cref="Evaluator"/>: the first id
/// in ordinal order, so when it departs the next one takes over). The partition policy (DESIGN.md, "Fault tolerance"),
/// which keeps the workers' loads within one partition of each other after every change:
/// <list type="bullet">
/// <item>A worker that leaves, or whose lease expires, gives up its partitions. In index order, each goes to the live
/// worker that holds the fewest (ties: the first id in ordinal order), or stays unassigned when none is live. Its
/// trained-through clock becomes the departed worker's clock: that worker trained it through its last reported clock.</item>
/// <item>A new member takes every unassigned partition. Then, while the worker holding the most (ties: the first id)
/// holds at least two more than the newcomer, the newcomer takes that worker's highest partition, trained through
/// that worker's clock. A rejoining member (the same id while it is still a member) keeps what it holds.</item>
/// </list>
/// Every change (a partition moved, another evaluator) counts a new <see cref="Version"/>. A worker learns its
/// partitions at its next clock report or heartbeat, so one that loses a partition may still
/// train it at the clock it is computing: a handover can skip or repeat a step of that partition, never more than
/// the clocks the two holders are apart plus one.
/// Example: <c>var a = new PartitionAssignment(2); a.Join("w0", clocks); a.Join("w1", clocks); var mine = a.Of("w1");</c>
/// </summary>
public sealed class PartitionAssignment
{
    private readonly string?[] _holders;
    private readonly long[] _trainedThrough;
    // Each worker's view, built on demand and dropped on every change: clock reports ask for it every step.
    private readonly Dictionary<string, WorkerAssignment> _views = new(StringComparer.Ordinal);

    /// <summary>A new job's partitions, none assigned, none trained.</summary>
    public PartitionAssignment(int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        _holders = new string?[partitions];
        _trainedThrough = new long[partitions];
    }

    /// <summary>
    /// An assignment as it was saved (<see cref="Holders"/>, <see cref="TrainedThrough"/>, <see cref="Version"/>) with
    /// the job's members as they were saved with it, of which the first evaluates.
    /// </summary>
    public PartitionAssignment(IReadOnlyList<string?> holders, IReadOnlyList<long> trainedThrough, long version, IEnumerable<string> members)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(holders.Count, 1, nameof(holders));
        if (trainedThrough.Count != holders.Count)
            throw new ArgumentException($"{trainedThrough.Count} trained-through clocks for {holders.Count} partitions", nameof(trainedThrough));
        _holders = [.. holders];
        _trainedThrough = [.. trainedThrough];
        Version = version;
        Evaluator = First(members);
    }

    public int Count => _holders.Length;

    /// <summary>Counts the changes; a worker keeps the assignment of the highest version it has seen.</summary>
    public long Version { get; private set; }

    /// <summary>The worker holding each partition; null for an unassigned one.</summary>
    public IReadOnlyList<string?> Holders => _holders;

    /// <summary>Per partition, the clock through which its earlier holders trained it.</summary>
    public IReadOnlyList<long> TrainedThrough => _trainedThrough;

    /// <summary>The live worker that evaluates the model after each epoch; null when none is live.</summary>
    public string? Evaluator { get; private set; }

    /// <summary>
    /// A new member, <paramref name="worker"/>, takes its share (see the class summary). <paramref name="live"/> holds
    /// every live worker, this one included, with its clock. Returns whether anything changed: a partition moved, or the
    /// newcomer's id comes first and it takes over the evaluation.
    /// </summary>
    public bool Join(string worker, IReadOnlyDictionary<string, long> live)
    {
        if (!live.ContainsKey(worker))
            throw new ArgumentException($"worker '{worker}' is not among the live workers", nameof(live));
        var moved = false;
        for (var p = 0; p < _holders.Length; p++)
        {
            if (_holders[p] is null)
            {
                _holders[p] = worker;
                moved = true;
            }
        }
        var loads = Loads(live);
        while (true)
        {
            var donor = MostLoaded(loads, except: worker);
            if (donor is null || loads[donor] - loads[worker] < 2)
                break;
            var p = Array.LastIndexOf(_holders, donor);
            _holders[p] = worker;
            _trainedThrough[p] = Math.Max(_trainedThrough[p], live[donor]);
            loads[donor]--;
            loads[worker]++;
            moved = true;
        }
        var elected = Elect(live.Keys);
        return Changed(moved || elected);
    }

    /// <summary>
    /// <paramref name="worker"/> left or expired at <paramref name="clock"/>: its partitions go to the least loaded of
    /// <paramref name="live"/> (the remaining workers), or become unassigned. Returns whether anything changed: it held
    /// partitions, or it was the evaluator.
    /// </summary>
    public bool Release(string worker, long clock, IReadOnlyDictionary<string, long> live)
    {
        var loads = Loads(live);
        var moved = false;
        for (var p = 0; p < _holders.Length; p++)
        {
            if (_holders[p] != worker)
                continue;
            var heir = LeastLoaded(loads);
            _holders[p] = heir;
            _trainedThrough[p] = Math.Max(_trainedThrough[p], clock);
            if (heir is not null)
                loads[heir]++;
            moved = true;
        }
        var elected = Elect(live.Keys);
        return Changed(moved || elected);
    }

    /// <summary>What <paramref name="worker"/> holds now (nothing for a worker that is not a member).</summary>
    public WorkerAssignment Of(string worker)
    {
        if (_views.TryGetValue(worker, out var view))
            return view;
        var held = new List<HeldPartition>();
        for (var p = 0; p < _holders.Length; p++)
        {
            if (_holders[p] == worker)
                held.Add(new HeldPartition { Index = p, TrainedThrough = _trainedThrough[p] });
        }
        view = new WorkerAssignment { Version = Version, Partitions = _holders.Length, Held = held, Evaluates = worker == Evaluator };
        _views[worker] = view;
        return view;
    }

    /// <summary>The indices of the partitions <paramref name="worker"/> holds.</summary>
    public IReadOnlyList<int> HeldBy(string worker) => Indices(worker);

    /// <summary>The indices of the partitions nobody holds.</summary>
    public IReadOnlyList<int> Unassigned() => Indices(null);

    private int[] Indices(string? holder)
    {
        var indices = new List<int>();
        for (var p = 0; p < _holders.Length; p++)
        {
            if (_holders[p] == holder)
                indices.Add(p);
        }
        return [.. indices];
    }

    /// <summary>Names the first of <paramref name="live"/> the evaluator; returns whether that is another worker.</summary>
    private bool Elect(IEnumerable<string> live)
    {
        var first = First(live);
        if (first == Evaluator)
            return false;
        Evaluator = first;
        return true;
    }

    private static string? First(IEnumerable<string> workers) => workers.Min(StringComparer.Ordinal);

    private bool Changed(bool moved)
    {
        if (moved)
        {
            Version++;
            _views.Clear();
        }
        return moved;
    }

    private SortedDictionary<string, int> Loads(IReadOnlyDictionary<string, long> live)
    {
        var loads = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var worker in live.Keys)
            loads[worker] = 0;
        foreach (var holder in _holders)
        {
            if (holder is not null && loads.ContainsKey(holder))
                loads[holder]++;
        }
        return loads;
    }

    // Loads iterate in ordinal order of ids, and only a strictly better load replaces the first found: ties go to the first id.
    private static string? MostLoaded(SortedDictionary<string, int> loads, string except)
    {
        string? most = null;
        foreach (var (worker, load) in loads)
        {
            if (worker != except && (most is null || load > loads[most]))
                most = worker;
        }
        return most;
    }

    private static string? LeastLoaded(SortedDictionary<string, int> loads)
    {
        string? least = null;
        foreach (var (worker, load) in loads)
        {
            if (least is null || load < loads[least])
                least = worker;
        }
        return least;
    }
}
