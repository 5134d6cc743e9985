using Xunit;

namespace ParameterServer.Tests.Cluster;

/// <summary>A silo dies: its shards reactivate on the other silo from the local-directory store, which outlives it.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DurabilityTests(ClusterFixture fixture)
{
    [Fact]
    public Task Shard_of_a_killed_silo_reactivates_with_the_checkpointed_values_and_version() =>
        SiloLoss.ShardReactivatesFromItsCheckpoint(fixture.Cluster);
}
