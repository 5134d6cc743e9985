using System.IO.Hashing;
using ParameterServer.DataPlane;
using Xunit;

namespace ParameterServer.Tests.DataPlane;

public class ConcurrentPushTests
{
    [Fact]
    public async Task Many_concurrent_pushes_over_two_lanes_all_arrive_intact()
    {
        const int Pushes = 64;
        await using var server = TestLaneServer.Start();
        using var client = new LaneClient(new LaneClientOptions { LanesPerEndpoint = 2 });
        var random = new Random(2024);
        var gradients = new byte[Pushes][];
        for (var i = 0; i < Pushes; i++)
        {
            gradients[i] = new byte[random.Next(1, 300_000)];
            random.NextBytes(gradients[i]);
        }
        var sentChecksums = gradients.Select(bytes => XxHash64.HashToUInt64(bytes)).ToArray();

        var tokens = await Task.WhenAll(gradients.Select((bytes, i) => client.SendPushAsync(server.Endpoint, $"m/t/{i}", 0, bytes)));

        Assert.InRange(server.Server.LanesAccepted, 1, 2);
        Assert.Equal(Pushes, tokens.Distinct().Count());
        for (var i = 0; i < Pushes; i++)
        {
            Assert.Equal(TakeResult.Taken, server.Staging.TryTake(tokens[i], $"m/t/{i}", out var push));
            Assert.Equal(gradients[i].Length, push!.Length);
            Assert.Equal(sentChecksums[i], XxHash64.HashToUInt64(push.Payload.Span));
            Assert.True(push.Payload.Span.SequenceEqual(gradients[i]));
            push.Dispose();
        }
        Assert.Equal(0, server.Staging.Pool.RentedBytes);
    }
}
