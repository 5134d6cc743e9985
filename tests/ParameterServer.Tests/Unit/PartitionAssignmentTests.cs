using ParameterServer.Contracts;
using ParameterServer.Grains.Models;
using Xunit;

namespace ParameterServer.Tests.Unit;

/// <summary>
/// The job's data partition policy, worked by hand: a newcomer takes the unassigned partitions and then one at a time
/// from the most loaded worker while that one holds two more; a departed worker's partitions go, in index order, to
/// the least loaded live worker, trained through its clock; the first live id in ordinal order evaluates.
/// </summary>
public sealed class PartitionAssignmentTests
{
    [Fact]
    public void Workers_of_a_new_job_end_with_one_partition_each_the_first_handing_out_its_highest()
    {
        var a = new PartitionAssignment(3);

        // w0 takes the three unassigned; w1: loads 3 and 0, so w0's highest (2) moves, then 2 and 1 differ by one.
        Assert.True(a.Join("w0", Live(("w0", 0))));
        Assert.Equal(["w0", "w0", "w0"], a.Holders);
        Assert.True(a.Join("w1", Live(("w0", 0), ("w1", 0))));
        Assert.Equal(["w0", "w0", "w1"], a.Holders);
        // w2: loads 2, 1, 0: w0's highest (1) moves; then w0 and w1 tie at 1, one more than w2: done.
        Assert.True(a.Join("w2", Live(("w0", 0), ("w1", 0), ("w2", 0))));

        Assert.Equal(["w0", "w2", "w1"], a.Holders);
        Assert.Equal([0L, 0, 0], a.TrainedThrough);
        Assert.Equal(3, a.Version);
        Assert.Empty(a.Unassigned());
    }

    [Fact]
    public void A_newcomer_takes_from_the_first_of_the_most_loaded_and_stops_within_one()
    {
        var a = new PartitionAssignment(4);
        a.Join("a", Live(("a", 0)));
        // b: 4 and 0, move 3; 3 and 1, move 2; 2 and 2: done.
        a.Join("b", Live(("a", 0), ("b", 0)));
        Assert.Equal(["a", "a", "b", "b"], a.Holders);

        // c: a and b tie at 2, a is first: a's 1 moves; then b holds 2, c 1: done.
        a.Join("c", Live(("a", 0), ("b", 0), ("c", 0)));

        Assert.Equal(["a", "c", "b", "b"], a.Holders);
        Assert.Equal([0], a.HeldBy("a"));
        Assert.Equal([2, 3], a.HeldBy("b"));
    }

    [Fact]
    public void A_departed_workers_partitions_go_in_index_order_to_the_least_loaded_trained_through_its_clock()
    {
        var a = Assigned(["a", "c", "b", "b"]);

        // b expires at clock 7; a (clock 8) and c (clock 6) hold one each. Partition 2: tie, a is first. Partition 3: c.
        Assert.True(a.Release("b", clock: 7, Live(("a", 8), ("c", 6))));

        Assert.Equal(["a", "c", "a", "c"], a.Holders);
        Assert.Equal([0L, 0, 7, 7], a.TrainedThrough);
        Assert.Equal(
            new WorkerAssignment { Version = a.Version, Partitions = 4, Held = [new HeldPartition { Index = 0 }, new HeldPartition { Index = 2, TrainedThrough = 7 }] },
            a.Of("a"), AssignmentComparer.Instance);
    }

    [Fact]
    public void With_no_live_worker_partitions_wait_unassigned_for_the_next_to_join_who_takes_them_all()
    {
        var a = Assigned(["a", "b"]);

        // a leaves at clock 5: b takes partition 0, trained through 5. b expires at clock 6 with nobody left.
        a.Release("a", clock: 5, Live(("b", 4)));
        Assert.Equal(["b", "b"], a.Holders);
        a.Release("b", clock: 6, Live());
        Assert.Equal([0, 1], a.Unassigned());
        // Partition 0: max(5, 6) = 6; partition 1: 6.
        Assert.Equal([6L, 6], a.TrainedThrough);

        a.Join("c", Live(("c", 6)));

        Assert.Equal(["c", "c"], a.Holders);
        Assert.Equal([6L, 6], a.TrainedThrough);
    }

    [Fact]
    public void A_partition_moved_from_a_live_worker_is_trained_through_that_workers_clock()
    {
        var a = Assigned(["a", "a"]);

        // b joins at the job's completed clock 10 while a, which holds both, has reported 12.
        a.Join("b", Live(("a", 12), ("b", 10)));

        Assert.Equal([new HeldPartition { Index = 1, TrainedThrough = 12 }], a.Of("b").Held);
        Assert.Equal([new HeldPartition { Index = 0 }], a.Of("a").Held);
    }

    [Fact]
    public void A_spare_gets_nothing_and_changes_no_version_until_a_worker_departs()
    {
        var a = Assigned(["a", "b"]);
        var version = a.Version;

        Assert.False(a.Join("spare", Live(("a", 3), ("b", 3), ("spare", 3))));
        Assert.Equal((version, 2, 0), (a.Of("spare").Version, a.Of("spare").Partitions, a.Of("spare").Held.Count));

        // b departs: a holds 1, spare 0: the spare takes partition 1.
        Assert.True(a.Release("b", clock: 4, Live(("a", 4), ("spare", 3))));
        Assert.Equal([new HeldPartition { Index = 1, TrainedThrough = 4 }], a.Of("spare").Held);
        Assert.Equal(version + 1, a.Of("spare").Version);
        Assert.False(a.Release("ghost", clock: 9, Live(("a", 4), ("spare", 3))));
    }

    [Fact]
    public void A_saved_assignment_comes_back_as_it_was()
    {
        var a = Assigned(["a", "c", "b", "b"]);
        a.Release("b", clock: 7, Live(("a", 8), ("c", 6)));

        var restored = new PartitionAssignment(a.Holders, a.TrainedThrough, a.Version, members: ["c", "a"]);

        Assert.Equal(a.Holders, restored.Holders);
        Assert.Equal(a.TrainedThrough, restored.TrainedThrough);
        Assert.Equal(a.Of("c"), restored.Of("c"), AssignmentComparer.Instance);
        Assert.Equal(("a", true), (restored.Evaluator, restored.Of("a").Evaluates));
    }

    [Fact]
    public void A_newcomer_must_be_among_the_live_workers_and_a_restore_must_match_its_lengths()
    {
        var a = new PartitionAssignment(2);

        Assert.Throws<ArgumentException>(() => a.Join("x", Live(("y", 0))));
        Assert.Equal(0, a.Version);
        Assert.Throws<ArgumentException>(() => new PartitionAssignment(["a", "b"], [0L], 1, ["a", "b"]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PartitionAssignment(0));
    }

    [Fact]
    public void The_first_live_id_evaluates_and_a_change_of_evaluator_is_a_new_version()
    {
        var a = new PartitionAssignment(2);
        a.Join("w1", Live(("w1", 0)));
        a.Join("w2", Live(("w1", 0), ("w2", 0)));
        Assert.Equal(("w1", true, false), (a.Evaluator, a.Of("w1").Evaluates, a.Of("w2").Evaluates));

        // w0 joins a job whose partitions are one each: nothing moves, but "w0" < "w1" takes over the evaluation.
        var version = a.Version;
        Assert.True(a.Join("w0", Live(("w0", 3), ("w1", 3), ("w2", 3))));
        Assert.Equal((version + 1, "w0", true, false, 0), (a.Version, a.Evaluator, a.Of("w0").Evaluates, a.Of("w1").Evaluates, a.Of("w0").Held.Count));

        // w0, holding nothing, expires: no partition moves, and w1 evaluates again in a new version.
        Assert.True(a.Release("w0", clock: 4, Live(("w1", 5), ("w2", 5))));
        Assert.Equal((version + 2, "w1", true), (a.Version, a.Evaluator, a.Of("w1").Evaluates));
        // w2 departs: it was not the evaluator, its partition moves: one new version. Then nobody is left to evaluate.
        Assert.True(a.Release("w2", clock: 6, Live(("w1", 6))));
        Assert.Equal((version + 3, "w1"), (a.Version, a.Evaluator));
        Assert.True(a.Release("w1", clock: 7, Live()));
        Assert.Null(a.Evaluator);
    }

    /// <summary>An assignment restored with these holders, none trained yet, and them as the members.</summary>
    private static PartitionAssignment Assigned(string[] holders) => new(holders, new long[holders.Length], version: 1, members: holders);

    private static Dictionary<string, long> Live(params (string Worker, long Clock)[] workers) =>
        workers.ToDictionary(w => w.Worker, w => w.Clock, StringComparer.Ordinal);

    /// <summary>Records compare lists by reference: this compares the held partitions element by element.</summary>
    private sealed class AssignmentComparer : IEqualityComparer<WorkerAssignment>
    {
        public static readonly AssignmentComparer Instance = new();

        public bool Equals(WorkerAssignment? x, WorkerAssignment? y) =>
            x is not null && y is not null && (x.Version, x.Partitions) == (y.Version, y.Partitions) && x.Held.SequenceEqual(y.Held);

        public int GetHashCode(WorkerAssignment obj) => HashCode.Combine(obj.Version, obj.Partitions);
    }
}
