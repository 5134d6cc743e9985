using Microsoft.Extensions.Logging;
using ParameterServer.DataPlane;
using Xunit;

namespace ParameterServer.Tests.DataPlane;

/// <summary>Bad frames sent to a real lane server: each is answered by an error frame and a log line, and the server
/// keeps serving. A frame that breaks the stream closes its lane; a frame read whole is refused and the lane goes on.</summary>
public class FrameValidationTests
{
    private const int MaxPayload = 1 << 20;
    private static readonly Guid _token = new("11111111-2222-3333-4444-555555555555");

    public static TheoryData<string, byte[][], LaneError, string> StreamBreakingFrames => new()
    {
        { "bad magic", [RawLane.Header(RawLane.PushData, _token, "m/t/0", 10, magic: 0xDEADBEEF), new byte[10]], LaneError.BadMagic, "magic 0xDEADBEEF" },
        { "bad version", [RawLane.Header(RawLane.PushData, _token, "m/t/0", 10, protocol: 9), new byte[10]], LaneError.BadVersion, "protocol version 9" },
        { "bad checksum", [RawLane.Header(RawLane.PushData, _token, "m/t/0", 10, breakChecksum: true), new byte[10]], LaneError.BadChecksum, "checksum" },
        { "negative length", [RawLane.Header(RawLane.PushData, _token, "m/t/0", -10)], LaneError.BadLength, "negative payload length -10" },
        { "oversize", [RawLane.Header(RawLane.PushData, _token, "m/t/0", MaxPayload + 1)], LaneError.TooLarge, $"payload of {MaxPayload + 1} bytes exceeds the maximum of {MaxPayload}" },
        { "truncated header", [RawLane.Header(RawLane.PushData, _token, "m/t/0", 10)[..20]], LaneError.Truncated, "after 20 of 38 bytes of a frame header" },
        { "truncated payload", [RawLane.Header(RawLane.PushData, _token, "m/t/0", 1000), new byte[400]], LaneError.Truncated, "after 400 of 1000 bytes of a frame payload" },
    };

    [Theory]
    [MemberData(nameof(StreamBreakingFrames))]
    public async Task A_frame_that_breaks_the_stream_gets_an_error_frame_then_its_lane_closes(string name, byte[][] frame, LaneError expected, string message)
    {
        await using var server = TestLaneServer.Start(o => o.MaxPayloadBytes = MaxPayload);
        using var lane = await RawLane.ConnectAsync(server.Endpoint);

        await lane.SendAsync(frame);
        lane.ShutdownSend();

        var error = await lane.ReadAsync();
        Assert.NotNull(error);
        Assert.Equal(RawLane.Error, error.Kind);
        Assert.Equal((byte)expected, error.Code);
        Assert.Contains(message, error.Message);
        Assert.Null(await lane.ReadAsync()); // closed cleanly after the error frame
        Assert.True(server.Log.Contains(LogLevel.Warning, message), $"no warning logged for {name}");
        await AssertStillServingAsync(server);
        Assert.Equal(0, server.Staging.Count);
        TestLaneServer.Eventually(() => server.Staging.Pool.RentedBytes == 0, "the partial payload's buffer is back in the pool");
    }

    public static TheoryData<string, byte[][], LaneError, string> RefusedFrames => new()
    {
        { "unknown kind", [RawLane.Header(9, _token, "m/t/0", 100), new byte[100]], LaneError.BadKind, "frame kind 9 is neither a push, a commit nor a pull request" },
        { "kind meant for clients", [RawLane.Header(RawLane.Ack, _token, "m/t/0", 0)], LaneError.BadKind, "frame kind 4" },
        { "shard key not UTF-8", [RawLane.Header(RawLane.PushData, _token, [0x6d, 0xff], 100), new byte[100]], LaneError.BadShardKey, "a push needs a shard key in UTF-8" },
        { "empty shard key", [RawLane.Header(RawLane.PushData, _token, "", 100), new byte[100]], LaneError.BadShardKey, "a push needs a shard key in UTF-8" },
        { "pull with a payload", [RawLane.Header(RawLane.PullRequest, _token, "m/t/0", 5), new byte[5]], LaneError.Refused, "a pull request carries no payload, this one 5 bytes" },
    };

    [Theory]
    [MemberData(nameof(RefusedFrames))]
    public async Task A_frame_read_whole_is_refused_and_the_lane_goes_on(string name, byte[][] frame, LaneError expected, string message)
    {
        await using var server = TestLaneServer.Start();
        using var lane = await RawLane.ConnectAsync(server.Endpoint);

        await lane.SendAsync(frame);
        var error = await lane.ReadAsync();

        Assert.NotNull(error);
        Assert.Equal(RawLane.Error, error.Kind);
        Assert.Equal((byte)expected, error.Code);
        Assert.Equal(_token, error.Token);
        Assert.Contains(message, error.Message);
        Assert.True(server.Log.Contains(LogLevel.Warning, message), $"no warning logged for {name}");
        // The same lane carries the next push: the refused frame's payload was consumed.
        var next = Guid.NewGuid();
        await lane.SendAsync(RawLane.Header(RawLane.PushData, next, "m/t/0", 3), [1, 2, 3]);
        var ack = await lane.ReadAsync();
        Assert.Equal((RawLane.Ack, next), (ack!.Kind, ack.Token));
        Assert.Equal(1, server.Staging.Count);
    }

    private static async Task AssertStillServingAsync(TestLaneServer server)
    {
        using var lane = await RawLane.ConnectAsync(server.Endpoint);
        var token = Guid.NewGuid();
        await lane.SendAsync(RawLane.Header(RawLane.PushData, token, "m/t/0", 4), [9, 8, 7, 6]);
        var ack = await lane.ReadAsync();
        Assert.Equal((RawLane.Ack, token), (ack!.Kind, ack.Token));
        Assert.Equal(TakeResult.Taken, server.Staging.TryTake(token, "m/t/0", out var push));
        Assert.Equal([9, 8, 7, 6], push!.Payload.ToArray());
        push.Dispose();
    }
}
