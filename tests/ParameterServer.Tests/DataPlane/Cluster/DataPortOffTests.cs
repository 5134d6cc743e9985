using Microsoft.Extensions.DependencyInjection;
using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Grains.DataPlane;
using ParameterServer.Tests.Client;
using ParameterServer.Tests.Cluster;
using Xunit;

namespace ParameterServer.Tests.DataPlane.Cluster;

/// <summary>
/// Silos without a data port (the shared cluster's: the port is off unless configured) and a client with the data plane
/// on: the shards say they have no data endpoint, and every push and pull goes in grain calls.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DataPortOffTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Pushes_and_pulls_fall_back_to_grain_calls_when_the_silos_have_no_data_port()
    {
        await using var client = new ParameterServerClient(fixture.Grains, new DataPlaneOptions());
        var model = await client.CreateModelAsync(SgdTable.Model("port-off", ConsistencySpec.Async));

        await model.PushAsync("w", SgdTable.Gradient);
        var values = new float[12];
        await model.PullAsync("w", values);
        var replica = model.CreateReplica("w");
        var changed = await replica.RefreshAsync();

        Assert.Equal(SgdTable.AfterOnePush, values);
        Assert.Equal([0, 1], changed);
        Assert.Equal(SgdTable.AfterOnePush, replica.Values.ToArray());
        Assert.Null(await fixture.Grains.GetGrain<IShardGrain>(TableLayout.ShardKey(model.Name, "w", 0)).GetDataEndpoint());
        foreach (var silo in fixture.Cluster.GetActiveSilos())
        {
            var port = fixture.Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<DataPort>();
            Assert.Null(port.Endpoint);
            Assert.Null(port.Lanes.Endpoint);
        }
    }
}
