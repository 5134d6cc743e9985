using MessagePack;
using ParameterServer.Contracts;

namespace ParameterServer.Grains.Models;

/// <summary>
/// The job's record of one shard's restores behind acknowledged updates. Every client that notices a restore reports
/// it, each with the highest version it was acknowledged, so the record keeps the largest report per activation and
/// adds up the losses of the activations before.
/// </summary>
[GenerateSerializer, MessagePackObject]
public sealed class ShardLossRecord
{
    /// <summary>The latest activation reported (0 before the first report).</summary>
    [Id(0), Key(0)] public long Activation { get; set; }

    [Id(1), Key(1)] public long RestoredVersion { get; set; }

    /// <summary>The highest version any client was acknowledged before <see cref="Activation"/> started.</summary>
    [Id(2), Key(2)] public long LastAcknowledged { get; set; }

    [Id(3), Key(3)] public int EarlierRestores { get; set; }

    [Id(4), Key(4)] public long EarlierLost { get; set; }

    [IgnoreMember] public int Restores => EarlierRestores + 1;

    [IgnoreMember] public long LostUpdates => EarlierLost + LastAcknowledged - RestoredVersion;

    /// <summary>Merges a report; false when it tells nothing new (a repeat, a smaller one, or one about an older activation).</summary>
    public bool Merge(VersionRegression report)
    {
        if (report.Activation < Activation)
            return false;
        if (report.Activation == Activation)
        {
            if (report.LastAcknowledged <= LastAcknowledged)
                return false;
            LastAcknowledged = report.LastAcknowledged;
            return true;
        }
        if (Activation != 0)
        {
            EarlierRestores++;
            EarlierLost += LastAcknowledged - RestoredVersion;
        }
        (Activation, RestoredVersion, LastAcknowledged) = (report.Activation, report.RestoredVersion, report.LastAcknowledged);
        return true;
    }
}
