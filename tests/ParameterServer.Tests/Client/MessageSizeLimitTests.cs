using ParameterServer.Contracts;
using ParameterServer.Tests.Cli;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Client;

/// <summary>A client made by ConnectAsync refuses an oversize grain call before sending it, and stays usable.</summary>
[Collection(SiloCollection.Name)]
public sealed class MessageSizeLimitTests(SiloFixture fixture)
{
    [Fact]
    public async Task A_request_over_the_message_limit_is_refused_before_it_is_sent()
    {
        await using var client = await fixture.Silo.ConnectAsync();
        var model = await client.CreateModelAsync(SgdTable.Model("oversize", ConsistencySpec.Async));
        var shard = client.Grains.GetGrain<IShardGrain>(TableLayout.ShardKey(model.Name, "w", 0));
        var oversize = new PushRequest { RowCount = 4, Payload = new byte[Limits.MaxMessageBytes + 4] };

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => shard.Push(oversize));

        Assert.Equal(ErrorCode.MessageTooLarge, error.Code);
        // Nothing arrived, and the same connection still carries calls.
        Assert.Equal((0L, 0L), ((await shard.GetInfo()).UpdateCount, (await shard.GetInfo()).Version));
        await model.PushAsync("w", SgdTable.Gradient);
        Assert.Equal(1, (await shard.GetInfo()).Version);
    }
}
