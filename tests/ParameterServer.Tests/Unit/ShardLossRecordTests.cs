using ParameterServer.Contracts;
using ParameterServer.Grains.Models;
using Xunit;

namespace ParameterServer.Tests.Unit;

/// <summary>The job's record of a shard's restores keeps the largest report of each and adds up the losses.</summary>
public sealed class ShardLossRecordTests
{
    private static VersionRegression Report(long activation, long restored, long acknowledged) =>
        new() { Shard = "m/w/0", Activation = activation, RestoredVersion = restored, LastAcknowledged = acknowledged };

    [Fact]
    public void Clients_reporting_one_restore_count_once_with_the_highest_version_any_was_acknowledged()
    {
        var record = new ShardLossRecord();

        Assert.True(record.Merge(Report(activation: 10, restored: 100, acknowledged: 130)));
        Assert.True(record.Merge(Report(activation: 10, restored: 100, acknowledged: 140)));
        Assert.False(record.Merge(Report(activation: 10, restored: 100, acknowledged: 120)));

        Assert.Equal((1, 40L), (record.Restores, record.LostUpdates));
    }

    [Fact]
    public void Restores_add_up_and_a_report_about_an_older_one_changes_nothing()
    {
        var record = new ShardLossRecord();
        record.Merge(Report(activation: 10, restored: 100, acknowledged: 140));

        Assert.True(record.Merge(Report(activation: 20, restored: 150, acknowledged: 175)));
        Assert.False(record.Merge(Report(activation: 10, restored: 100, acknowledged: 199)));

        // (140 - 100) + (175 - 150) = 65.
        Assert.Equal((2, 65L), (record.Restores, record.LostUpdates));
    }
}
