using Orleans.Core.Internal;
using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Tests.Client;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Cluster;

/// <summary>
/// A push sent again under its identity, in grain calls: the shard answers it as the first time and applies it once,
/// also after its activation was replaced by one restored from its checkpoint, and under BSP. Values are checked
/// against SGD worked out by hand (lr 0.5 on ones, <see cref="SgdTable"/>).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RepeatedPushTests(ClusterFixture fixture)
{
    // Shard 1's rows of SgdTable's gradient, g = [0.5, 0.75, -1, 3]; each SGD step takes w -= 0.5 g.
    private static readonly float[] G = SgdTable.Gradient[8..];
    // Two steps of g: w = 1 - g.
    private static readonly float[] AfterTwoPushes = [0.5f, 0.25f, 2, -2];

    [Fact]
    public async Task A_push_sent_twice_under_one_identity_is_applied_once_and_answered_alike()
    {
        var shard = await Shard1("repeat", ConsistencySpec.Async);
        var writer = Guid.NewGuid();

        var first = await shard.Push(Push(new PushId(writer, 1), G));
        var again = await shard.Push(Push(new PushId(writer, 1), G));

        Assert.Equal((1L, true), (first.Version, first.Applied));
        Assert.Equal(first, again);
        Assert.Equal(SgdTable.AfterOnePush[8..], await Values(shard));
        Assert.Equal((1L, 1L), await VersionAndUpdates(shard));

        // The writer's next push, and another writer's first, are new.
        Assert.Equal(2, (await shard.Push(Push(new PushId(writer, 2), G))).Version);
        Assert.Equal(3, (await shard.Push(Push(new PushId(Guid.NewGuid(), 1), G))).Version);
    }

    [Fact]
    public async Task A_push_without_an_identity_is_applied_every_time()
    {
        var shard = await Shard1("anonymous", ConsistencySpec.Async);

        await shard.Push(Push(PushId.None, G));
        await shard.Push(Push(PushId.None, G));

        Assert.Equal(AfterTwoPushes, await Values(shard));
    }

    [Fact]
    public async Task Pushes_whose_answers_were_lost_are_sent_again_by_the_client_and_applied_once()
    {
        var lost = new LostAnswers(fixture.Grains);
        var model = await new ParameterServerClient(lost).CreateModelAsync(SgdTable.Model("lost-answer", ConsistencySpec.Async));
        lost.LoseNext(2);

        await model.PushAsync("w", SgdTable.Gradient);

        var values = new float[12];
        await model.PullAsync("w", values);
        Assert.Equal(2, lost.Lost);
        Assert.Equal(SgdTable.AfterOnePush, values);
        Assert.All(await fixture.Grains.ShardInfos(model.Name, SgdTable.Spec), s => Assert.Equal((1L, 1L), (s.Version, s.UpdateCount)));
    }

    [Fact]
    public async Task A_shard_reactivated_from_its_checkpoint_answers_the_pushes_it_holds_without_applying_them()
    {
        var shard = await Shard1("reactivated", ConsistencySpec.Async);
        var writer = Guid.NewGuid();
        var first = await shard.Push(Push(new PushId(writer, 1), G));
        var second = await shard.Push(Push(new PushId(writer, 2), G));
        var before = await shard.GetInfo();

        // Deactivation writes a checkpoint of version 2 with both pushes; the next call activates the shard from it.
        await shard.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var firstAgain = await shard.Push(Push(new PushId(writer, 1), G));
        var secondAgain = await shard.Push(Push(new PushId(writer, 2), G));

        var after = await shard.GetInfo();
        Assert.NotEqual(before.Activation, after.Activation);
        Assert.Equal((2L, 2L), (after.RestoredVersion, after.Version));
        Assert.Equal((first.Version, first.Applied, second.Version, second.Applied), (firstAgain.Version, firstAgain.Applied, secondAgain.Version, secondAgain.Applied));
        Assert.Equal(AfterTwoPushes, await Values(shard));
    }

    [Fact]
    public async Task Under_bsp_a_push_still_summed_when_its_shard_was_reactivated_is_summed_again_and_an_applied_one_is_not()
    {
        var shard = await Shard1("bsp-repeat", ConsistencySpec.Bsp);
        await fixture.Grains.GetGrain<IModelGrain>(TableLayout.ParseShardKey(shard.GetPrimaryKeyString()).Model).Join("a");
        var writer = Guid.NewGuid();
        var doubled = G.Select(g => 2 * g).ToArray();
        var a = Push(new PushId(writer, 1), G) with { WorkerId = "a", Clock = 0 };
        var b = Push(new PushId(writer, 2), doubled) with { WorkerId = "a", Clock = 1 };
        await shard.Push(a);
        Assert.Equal((0L, false), Answer(await shard.Push(b)));
        // Clock 0 applies a alone: w = 1 - 0.5 g. b stays summed, which no checkpoint holds.
        Assert.Equal(1, await shard.ApplyClock(0));
        Assert.Equal(1, await shard.Checkpoint());

        await shard.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var aAgain = await shard.Push(a);
        var bAgain = await shard.Push(b);
        var version = await shard.ApplyClock(1);
        var values = await Values(shard);

        // a was applied before the checkpoint: answered as then (buffered at version 0), not summed again. b's sum was
        // lost with the activation: taken anew at version 1, and clock 1 applies it alone: w = 1 - 0.5 g - 0.5 (2 g)
        // = 1 - 1.5 g = [0.25, -0.125, 2.5, -3.5]. Had a been summed again, clock 1 would apply (g + 2 g) / 2.
        Assert.Equal((0L, false), Answer(aAgain));
        Assert.Equal((1L, false), Answer(bAgain));
        Assert.Equal(2, version);
        Assert.Equal([0.25f, -0.125f, 2.5f, -3.5f], values);
    }

    [Fact]
    public async Task A_push_older_than_its_writers_window_or_numbered_0_is_refused_and_changes_nothing()
    {
        var shard = await Shard1("stale", ConsistencySpec.Async);
        var writer = Guid.NewGuid();
        await shard.Push(Push(new PushId(writer, 70), G));

        // 70 - 64 = 6: the shard remembers numbers 7 to 70 of this writer.
        var stale = await Assert.ThrowsAsync<ParameterServerException>(() => shard.Push(Push(new PushId(writer, 6), G)));
        var zero = await Assert.ThrowsAsync<ParameterServerException>(() => shard.Push(Push(new PushId(writer, 0), G)));

        Assert.Equal((ErrorCode.StalePush, ErrorCode.InvalidArgument), (stale.Code, zero.Code));
        Assert.Contains($"push {new PushId(writer, 6)}", stale.Message);
        Assert.Equal((1L, 1L), await VersionAndUpdates(shard));
        Assert.Equal(SgdTable.AfterOnePush[8..], await Values(shard));
        Assert.Equal(2, (await shard.Push(Push(new PushId(writer, 7), G))).Version);
    }

    private async Task<IShardGrain> Shard1(string prefix, ConsistencySpec consistency)
    {
        var spec = SgdTable.Model(prefix, consistency);
        await fixture.Grains.GetGrain<IModelGrain>(spec.Name).Create(spec);
        return fixture.Grains.Shard(spec.Name, "w", 1);
    }

    /// <summary>A push of <paramref name="gradient"/> to shard 1's two rows (4 and 5).</summary>
    private static PushRequest Push(PushId id, float[] gradient) =>
        new() { Id = id, RowCount = 2, Payload = PayloadCodec.Encode(gradient, TensorEncoding.Fp32) };

    private static (long Version, bool Applied) Answer(PushReply reply) => (reply.Version, reply.Applied);

    private static async Task<(long Version, long UpdateCount)> VersionAndUpdates(IShardGrain shard)
    {
        var info = await shard.GetInfo();
        return (info.Version, info.UpdateCount);
    }

    private static async Task<float[]> Values(IShardGrain shard)
    {
        var reply = await shard.Pull(new PullRequest { RowCount = 2 });
        var values = new float[4];
        PayloadCodec.Decode(reply!.Payload, TensorEncoding.Fp32, values);
        return values;
    }
}
