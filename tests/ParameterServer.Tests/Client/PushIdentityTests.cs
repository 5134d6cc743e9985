using ParameterServer.Client;
using ParameterServer.Contracts;
using Xunit;

namespace ParameterServer.Tests.Client;

/// <summary>
/// Every push slice carries an identity: the open model's writer and the next number of its pushes to that shard,
/// counted per shard from 1, and the same on every transfer of the slice.
/// </summary>
public sealed class PushIdentityTests
{
    // 10 rows of 3, 4 rows per shard: shard 0 holds rows 0-3, shard 1 rows 4-7, shard 2 rows 8-9.
    private static readonly ModelSpec Spec = PushSlicingTests.Spec;

    [Fact]
    public async Task Each_slice_carries_the_models_writer_and_the_next_number_of_its_shard()
    {
        var cluster = new FakeCluster(Spec);
        var client = new ParameterServerClient(cluster);
        var model = await client.OpenModelAsync("m");
        var worker = model.ForWorker("w1");

        await model.PushAsync("w", new float[30]);          // shards 0, 1, 2
        await worker.PushAsync("w", new float[6], rowStart: 5); // shard 1 alone
        await model.PushAsync("w", new float[30]);
        await (await client.OpenModelAsync("m")).PushAsync("w", new float[3], rowStart: 9); // another handle: shard 2

        var writer = cluster.Shard("w", 0).Pushes[0].Id.Writer;
        Assert.NotEqual(Guid.Empty, writer);
        Assert.Equal([new PushId(writer, 1), new PushId(writer, 2)], Ids(cluster, 0));
        Assert.Equal([new PushId(writer, 1), new PushId(writer, 2), new PushId(writer, 3)], Ids(cluster, 1));
        var other = cluster.Shard("w", 2).Pushes[2].Id;
        Assert.Equal([new PushId(writer, 1), new PushId(writer, 2), new PushId(other.Writer, 1)], Ids(cluster, 2));
        Assert.NotEqual(writer, other.Writer);
    }

    [Fact]
    public async Task A_slice_sent_again_after_its_answer_was_lost_carries_the_same_identity()
    {
        var cluster = new FakeCluster(Spec);
        var lost = new LostAnswers(cluster);
        var model = await new ParameterServerClient(lost).OpenModelAsync("m");
        lost.LoseNext(1);

        await model.PushAsync("w", new float[6], rowStart: 5);

        var ids = Ids(cluster, 1);
        Assert.Equal(1, lost.Lost);
        Assert.Equal(2, ids.Length);
        Assert.Equal(ids[0], ids[1]);
        Assert.Equal(1, ids[0].Sequence);
    }

    private static PushId[] Ids(FakeCluster cluster, int shard) => cluster.Shard("w", shard).Pushes.Select(p => p.Id).ToArray();
}
