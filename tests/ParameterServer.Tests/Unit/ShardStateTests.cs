using MessagePack;
using ParameterServer.Contracts;
using ParameterServer.Grains.Models;
using ParameterServer.Grains.Shards;
using ParameterServer.Grains.Persistence;
using ParameterServer.Grains.Storage;
using Xunit;

namespace ParameterServer.Tests.Unit;

/// <summary>
/// The checkpointed shard and model state: round trips through the checkpoint serializer (also from the layout before
/// the shard recorded its pushes), snapshots independent of the live state.
/// </summary>
public sealed class ShardStateTests
{
    private static readonly CheckpointSerializer Serializer = new();

    private static readonly ShardSetup Setup = new()
    {
        Model = "m",
        Table = new TableSpec
        {
            Name = "w", Rows = 8, Cols = 2, ShardRows = 4, Initializer = InitializerSpec.Xavier(3),
            Optimizer = OptimizerSpec.AdamW(0.01f) with { Schedule = LearningRateSchedule.CosineWithWarmup(10, 100, 0.001f) },
        },
        Shard = 1,
        Consistency = ConsistencyMode.Ssp,
    };

    [Fact]
    public void Shard_state_round_trips_through_the_checkpoint_serializer()
    {
        var state = new ShardState
        {
            Setup = Setup, Values = [1, -2, 3.5f], Slots = [[0.5f, 0, 1], [2, 2, 2]],
            Version = 7, UpdateCount = 9, CheckpointedVersion = 7, CheckpointedAt = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero),
        };

        var back = Serializer.Deserialize<ShardState>(Serializer.Serialize(state));

        Assert.Equal(Setup, back.Setup);
        Assert.Equal(state.Values, back.Values);
        Assert.Equal(state.Slots, back.Slots);
        Assert.Equal((7, 9, 7, state.CheckpointedAt), (back.Version, back.UpdateCount, back.CheckpointedVersion, back.CheckpointedAt));
    }

    [Fact]
    public void Model_state_round_trips_through_the_checkpoint_serializer()
    {
        var spec = new ModelSpec { Name = "m", Tables = [Setup.Table, Setup.Table with { Name = "b", Cols = 1 }], Consistency = ConsistencySpec.Ssp(3), WorkerLease = TimeSpan.FromSeconds(12) };

        var back = Serializer.Deserialize<ModelState>(Serializer.Serialize(new ModelState { Spec = spec }));

        Assert.True(back.Spec!.SameAs(spec));
    }

    [Fact]
    public void Model_directory_round_trips_through_the_checkpoint_serializer()
    {
        var back = Serializer.Deserialize<ModelDirectoryState>(Serializer.Serialize(new ModelDirectoryState { Models = ["a", "b"] }));

        Assert.Equal(["a", "b"], back.Models);
    }

    [Fact]
    public void Uninitialized_state_round_trips_without_a_setup()
    {
        var back = Serializer.Deserialize<ShardState>(Serializer.Serialize(new ShardState()));

        Assert.Null(back.Setup);
    }

    [Fact]
    public void Snapshot_does_not_change_with_the_live_state()
    {
        var live = new ShardState { Setup = Setup, Values = [1, 2], Slots = [[3, 4]], Version = 2 };
        var snapshot = new ShardState();

        live.CopyTo(snapshot);
        live.Values[0] = 10;
        live.Slots[0][1] = 40;
        live.Version = 3;

        Assert.Equal([1f, 2f], snapshot.Values);
        Assert.Equal([3f, 4f], snapshot.Slots[0]);
        Assert.Equal(2, snapshot.Version);
    }

    [Fact]
    public void Snapshot_reuses_arrays_of_the_same_size()
    {
        var live = new ShardState { Setup = Setup, Values = [1, 2], Slots = [[3, 4]] };
        var snapshot = new ShardState();
        live.CopyTo(snapshot);
        var values = snapshot.Values;
        var slot = snapshot.Slots[0];

        live.Values[1] = 5;
        live.CopyTo(snapshot);

        Assert.Same(values, snapshot.Values);
        Assert.Same(slot, snapshot.Slots[0]);
        Assert.Equal([1f, 5f], snapshot.Values);
    }

    [Fact]
    public void The_pushes_a_shard_took_round_trip_through_the_checkpoint_serializer()
    {
        var writer = Guid.NewGuid();
        var state = new ShardState { Setup = Setup, Values = [1], Version = 2 };
        state.Pushes.Record(new PushId(writer, 1), 1, true, DateTimeOffset.UnixEpoch);
        state.Pushes.Record(new PushId(writer, 3), 2, false, DateTimeOffset.UnixEpoch);

        var back = Serializer.Deserialize<ShardState>(Serializer.Serialize(state));

        var window = back.Pushes.Writers[writer];
        Assert.Equal((3L, DateTimeOffset.UnixEpoch.UtcTicks, 64), (window.Highest, window.LastSeen, window.Slots.Length));
        Assert.Equal(PushLookup.Repeated, back.Pushes.Find(new PushId(writer, 1), out var first));
        Assert.Equal(PushLookup.Repeated, back.Pushes.Find(new PushId(writer, 3), out var third));
        Assert.Equal(PushLookup.New, back.Pushes.Find(new PushId(writer, 2), out _));
        Assert.Equal((new PushAcknowledgment(1, 1, true), new PushAcknowledgment(3, 2, false)), (first, third));
    }

    [Fact]
    public void A_checkpoint_from_before_pushes_were_recorded_loads_with_none()
    {
        var old = new ShardStateWithoutPushes
        {
            Setup = Setup, Values = [1, 2], Slots = [[3, 4]], Version = 5, UpdateCount = 6, CheckpointedVersion = 5, CheckpointedAt = DateTimeOffset.UnixEpoch,
        };

        var back = Serializer.Deserialize<ShardState>(Serializer.Serialize(old));

        Assert.Equal(Setup, back.Setup);
        Assert.Equal((5, 6, 5), (back.Version, back.UpdateCount, back.CheckpointedVersion));
        Assert.Equal([1f, 2f], back.Values);
        Assert.NotNull(back.Pushes);
        Assert.Empty(back.Pushes.Writers);
    }

    [Fact]
    public void A_checkpoint_with_pushes_loads_in_the_layout_before_them()
    {
        var state = new ShardState { Setup = Setup, Values = [1, 2], Version = 3 };
        state.Pushes.Record(new PushId(Guid.NewGuid(), 1), 3, true, DateTimeOffset.UnixEpoch);

        var back = Serializer.Deserialize<ShardStateWithoutPushes>(Serializer.Serialize(state));

        Assert.Equal((Setup, 3L), (back.Setup, back.Version));
        Assert.Equal([1f, 2f], back.Values);
    }

    [Fact]
    public void Snapshot_does_not_change_with_the_pushes_taken_after_it()
    {
        var writer = Guid.NewGuid();
        var live = new ShardState { Setup = Setup, Values = [1] };
        live.Pushes.Record(new PushId(writer, 1), 1, true, DateTimeOffset.UnixEpoch);
        var snapshot = new ShardState();

        live.CopyTo(snapshot);
        live.Pushes.Record(new PushId(writer, 2), 2, true, DateTimeOffset.UnixEpoch);

        Assert.Equal(PushLookup.Repeated, snapshot.Pushes.Find(new PushId(writer, 1), out _));
        Assert.Equal(PushLookup.New, snapshot.Pushes.Find(new PushId(writer, 2), out _));
    }

    /// <summary>The layout of <see cref="ShardState"/> checkpoints before the shard recorded its pushes (keys 0 to 6).</summary>
    [MessagePackObject]
    public sealed class ShardStateWithoutPushes
    {
        [Key(0), MessagePackFormatter(typeof(SpecFormatter<ShardSetup>))] public ShardSetup? Setup { get; set; }
        [Key(1)] public float[] Values { get; set; } = [];
        [Key(2)] public float[][] Slots { get; set; } = [];
        [Key(3)] public long Version { get; set; }
        [Key(4)] public long UpdateCount { get; set; }
        [Key(5)] public long CheckpointedVersion { get; set; }
        [Key(6)] public DateTimeOffset? CheckpointedAt { get; set; }
    }
}
