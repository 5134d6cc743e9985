using ParameterServer.Client;
using ParameterServer.Contracts;
using Xunit;

namespace ParameterServer.Tests.Client;

/// <summary>
/// A client that sees a shard answer from a new activation which started below the versions it had been acknowledged
/// reports the loss to the job, once per restore; anything else is not a loss.
/// </summary>
public sealed class RegressionReportTests
{
    private static readonly ModelSpec Spec = PushSlicingTests.Spec;
    private static readonly float[] Row = [1, 2, 3];

    [Fact]
    public async Task A_restore_behind_the_acknowledged_versions_is_reported_once_with_both_versions()
    {
        var (cluster, model) = await Open();
        await Push(model, times: 5);

        cluster.Shard("w", 0).Restore(checkpointedVersion: 3);
        await Push(model, times: 2);

        // Acknowledged up to version 5; the activation that answered next started from version 3: 2 updates lost.
        var regression = Assert.Single(cluster.Model.Regressions);
        Assert.Equal(new VersionRegression { Shard = "m/w/0", Activation = 2, RestoredVersion = 3, LastAcknowledged = 5 }, regression);
    }

    [Fact]
    public async Task A_new_activation_that_starts_where_the_client_left_off_lost_nothing()
    {
        var (cluster, model) = await Open();
        await Push(model, times: 5);

        cluster.Shard("w", 0).Restore(checkpointedVersion: 5);
        await Push(model, times: 1);

        Assert.Empty(cluster.Model.Regressions);
    }

    [Fact]
    public async Task A_late_answer_of_a_replaced_activation_is_no_restore()
    {
        var (cluster, model) = await Open();
        var shard = cluster.Shard("w", 0);
        await Push(model, times: 5);
        shard.Restore(checkpointedVersion: 5);
        await Push(model, times: 1);

        // An answer of activation 1 arrives after activation 2 answered: it is older, not a restore from version 0.
        shard.Activation = 1;
        shard.RestoredVersion = 0;
        await Push(model, times: 1);
        shard.Activation = 2;
        shard.RestoredVersion = 5;
        await Push(model, times: 1);

        Assert.Empty(cluster.Model.Regressions);
    }

    [Fact]
    public async Task Each_restore_is_reported_with_what_was_acknowledged_since_the_one_before()
    {
        var (cluster, model) = await Open();
        var shard = cluster.Shard("w", 0);
        await Push(model, times: 5);
        shard.Restore(checkpointedVersion: 3);
        await Push(model, times: 4); // versions 4..7
        shard.Restore(checkpointedVersion: 6);
        await Push(model, times: 1);

        Assert.Equal([(3L, 5L), (6L, 7L)], cluster.Model.Regressions.Select(r => (r.RestoredVersion, r.LastAcknowledged)));
    }

    private static async Task<(FakeCluster, ModelHandle)> Open()
    {
        var cluster = new FakeCluster(Spec);
        return (cluster, await new ParameterServerClient(cluster).OpenModelAsync("m"));
    }

    private static async Task Push(ModelHandle model, int times)
    {
        for (var i = 0; i < times; i++)
            await model.PushAsync("w", Row, rowStart: 0);
    }
}
