using ParameterServer.Contracts;

namespace ParameterServer.Client.Hosting;

/// <summary>
/// Refuses a grain call whose tensor payload exceeds <see cref="Limits.MaxMessageBytes"/> before it is sent: Orleans
/// refuses a message body over 100 MiB and then keeps failing the client that sent it.
/// </summary>
internal sealed class MessageSizeFilter : IOutgoingGrainCallFilter
{
    public Task Invoke(IOutgoingGrainCallContext context)
    {
        var request = context.Request;
        long bytes = 0;
        for (var i = 0; i < request.GetArgumentCount(); i++)
            bytes += PayloadBytes(request.GetArgument(i));
        if (bytes > Limits.MaxMessageBytes)
            throw new ParameterServerException(ErrorCode.MessageTooLarge,
                $"{context.InterfaceName}.{context.MethodName} carries {bytes} bytes, over the limit of {Limits.MaxMessageBytes}; it was not sent");
        return context.Invoke();
    }

    // Only tensor payloads can approach the limit: names and specs are bounded by their validation.
    private static long PayloadBytes(object? argument) => argument switch
    {
        // A push without a payload is the shard's to refuse; it must not fail here.
        PushRequest { Payload: { } payload } => payload.Length,
        byte[] bytes => bytes.Length,
        _ => 0,
    };
}
