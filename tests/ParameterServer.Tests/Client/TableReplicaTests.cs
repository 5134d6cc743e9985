using ParameterServer.Client;
using ParameterServer.Contracts;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Client;

/// <summary>A replica fetches every shard once, then only the shards whose version moved on.</summary>
public sealed class TableReplicaTests
{
    [Fact]
    public async Task First_refresh_fetches_every_shard_with_its_version()
    {
        var cluster = PullTests.FilledCluster();
        (cluster.Shard("w", 0).Version, cluster.Shard("w", 1).Version, cluster.Shard("w", 2).Version) = (5, 7, 9);
        var replica = (await new ParameterServerClient(cluster).OpenModelAsync("m")).CreateReplica("w");

        var changed = await replica.RefreshAsync();

        Assert.Equal([0, 1, 2], changed);
        Assert.Equal((5L, 7L, 9L), (replica.Version(0), replica.Version(1), replica.Version(2)));
        for (var i = 0; i < 30; i++)
            Assert.Equal(100 * (i / 3) + i % 3, replica.Values.Span[i]);
    }

    [Fact]
    public async Task Second_refresh_of_an_unchanged_table_fetches_nothing()
    {
        var cluster = PullTests.FilledCluster();
        var replica = (await new ParameterServerClient(cluster).OpenModelAsync("m")).CreateReplica("w");
        await replica.RefreshAsync();
        replica.Values.Span.Fill(-1); // would be overwritten by any payload

        var changed = await replica.RefreshAsync();

        Assert.Empty(changed);
        Assert.All(replica.Values.ToArray(), v => Assert.Equal(-1, v));
        // Each shard was asked with the version the replica holds, and answered that it is current.
        for (var s = 0; s < 3; s++)
            Assert.Equal(cluster.Shard("w", s).Version, cluster.Shard("w", s).Pulls[^1].KnownVersion);
    }

    [Fact]
    public async Task After_a_change_to_one_shard_only_that_shard_is_fetched()
    {
        var cluster = PullTests.FilledCluster();
        var replica = (await new ParameterServerClient(cluster).OpenModelAsync("m")).CreateReplica("w");
        await replica.RefreshAsync();
        cluster.Shard("w", 1).Values.AsSpan().Fill(42);
        cluster.Shard("w", 1).Version++;

        var changed = await replica.RefreshAsync();

        Assert.Equal([1], changed);
        Assert.Equal(1, replica.Version(1));
        Assert.Equal(Enumerable.Repeat(42f, 12), replica.Values.Span.Slice(12, 12).ToArray()); // rows 4-7
        Assert.Equal(302f, replica.Values.Span[11]); // row 3, untouched
        Assert.Equal(800f, replica.Values.Span[24]); // row 8, untouched
    }

    [Fact]
    public async Task Invalidate_makes_the_next_refresh_fetch_everything()
    {
        var cluster = PullTests.FilledCluster();
        var replica = (await new ParameterServerClient(cluster).OpenModelAsync("m")).CreateReplica("w");
        await replica.RefreshAsync();

        replica.Invalidate();

        Assert.Equal(TableReplica.NotFetched, replica.Version(2));
        Assert.Equal([0, 1, 2], await replica.RefreshAsync());
    }

    [Fact]
    public async Task A_caller_buffer_of_the_wrong_size_is_refused()
    {
        var model = await new ParameterServerClient(new FakeCluster(PushSlicingTests.Spec)).OpenModelAsync("m");

        var error = Assert.Throws<ParameterServerException>(() => model.CreateReplica("w", new float[29]));

        Assert.Equal(ErrorCode.WrongLength, error.Code);
    }

    [Fact]
    public async Task The_replica_fills_the_callers_buffer()
    {
        var cluster = PullTests.FilledCluster();
        var buffer = new float[30];
        var replica = (await new ParameterServerClient(cluster).OpenModelAsync("m")).CreateReplica("w", buffer);

        await replica.RefreshAsync();

        Assert.Equal(902f, buffer[29]);
    }
}
