using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Tests.Cluster;
using Xunit;

namespace ParameterServer.Tests.DataPlane.Cluster;

/// <summary>
/// A pull on a lane sends the shard's values as they are, without a copy: an update that arrives while the snapshot is
/// still on its way must not change what the lane sends. The client is slowed down (its proxy holds the bytes) until
/// the silo's send stalls mid-snapshot, a push is applied meanwhile, and the pull must still receive the version it
/// asked for, whole.
/// </summary>
public sealed class UntornSnapshotTests(ProxiedSiloFixture fixture) : IClassFixture<ProxiedSiloFixture>
{
    // One shard of the largest size a shard may have (32 MiB), far more than the loopback socket buffers hold, so the
    // silo's send cannot finish while the client reads nothing.
    private static readonly TableSpec Table = new()
    {
        Name = "w", Rows = 2048, Cols = 4096, ShardRows = 2048, Initializer = InitializerSpec.Constant(1f), Optimizer = OptimizerSpec.Sgd(0.5f),
    };

    [Fact]
    public async Task An_update_applied_while_a_snapshot_is_on_its_way_does_not_tear_it()
    {
        var model = await fixture.Client.CreateModelAsync(new ModelSpec { Name = Tables.UniqueName("untorn"), Tables = [Table] });
        await using var byGrainCalls = new ParameterServerClient(fixture.Cluster.Client);
        var pusher = await byGrainCalls.OpenModelAsync(model.Name);
        var gradient = Enumerable.Range(0, (int)Table.Elements).Select(i => (i % 9 - 4) / 4f).ToArray();
        var pulled = new float[Table.Elements];

        fixture.Proxy.PauseDownstream();
        Task pull;
        try
        {
            pull = model.PullAsync("w", pulled);
            TestLaneServer.Eventually(() => fixture.Proxy.DownstreamBytes > 0, "the silo began sending the snapshot");
            await pusher.PushAsync("w", gradient);
        }
        finally
        {
            fixture.Proxy.ResumeDownstream();
        }
        await pull;
        var after = new float[Table.Elements];
        await model.PullAsync("w", after);

        // Version 0 everywhere: the initial ones, although version 1 was applied before the last byte left the silo.
        Assert.Equal(0, pulled.Count(v => v != 1f));
        // Then version 1: w = 1 - 0.5 g, exact for g in multiples of 1/4.
        Assert.Equal(0, Enumerable.Range(0, after.Length).Count(i => after[i] != 1 - 0.5f * gradient[i]));
    }
}
