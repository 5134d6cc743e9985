using System.Buffers.Binary;
using System.Net.Sockets;

namespace ParameterServer.Benchmarks.DataPlane;

/// <summary>
/// The reference the lanes are measured against: plain .NET sockets with the same request/reply shape as a lane (a
/// push is kind + length + bytes answered by a one-byte ack; a pull is a one-byte request answered by length + bytes),
/// one request at a time per connection, fixed buffers, no framing, no validation, no pooling. Both ends, so that a
/// server can run in this process (<see cref="RawSocketCopy"/>) or in a peer process (<c>raw-peer</c>).
/// </summary>
internal static class RawCopyProtocol
{
    private const byte Push = 1, Pull = 2;

    /// <summary>Sends a push; <paramref name="scratch"/> is the connection's 4-byte header buffer.</summary>
    public static async Task PushAsync(NetworkStream stream, byte[] scratch, ReadOnlyMemory<byte> payload)
    {
        scratch[0] = Push;
        await stream.WriteAsync(scratch.AsMemory(0, 1));
        BinaryPrimitives.WriteInt32LittleEndian(scratch, payload.Length);
        await stream.WriteAsync(scratch);
        await stream.WriteAsync(payload);
        await stream.ReadExactlyAsync(scratch.AsMemory(0, 1));
    }

    /// <summary>Receives a pull's bytes into <paramref name="destination"/>; returns their length.</summary>
    public static async Task<int> PullAsync(NetworkStream stream, byte[] scratch, Memory<byte> destination)
    {
        scratch[0] = Pull;
        await stream.WriteAsync(scratch.AsMemory(0, 1));
        await stream.ReadExactlyAsync(scratch);
        var length = BinaryPrimitives.ReadInt32LittleEndian(scratch);
        await stream.ReadExactlyAsync(destination[..length]);
        return length;
    }

    /// <summary>Serves one connection until its client closes it: pushes land in one fixed buffer, pulls send <paramref name="snapshot"/>.</summary>
    public static async Task ServeAsync(NetworkStream stream, byte[] snapshot, int maxPushBytes)
    {
        var buffer = new byte[maxPushBytes];
        var header = new byte[4];
        try
        {
            while (await stream.ReadAsync(header.AsMemory(0, 1)) == 1)
            {
                if (header[0] == Push)
                {
                    await stream.ReadExactlyAsync(header);
                    await stream.ReadExactlyAsync(buffer.AsMemory(0, BinaryPrimitives.ReadInt32LittleEndian(header)));
                    await stream.WriteAsync(header.AsMemory(0, 1));
                }
                else
                {
                    BinaryPrimitives.WriteInt32LittleEndian(header, snapshot.Length);
                    await stream.WriteAsync(header);
                    await stream.WriteAsync(snapshot);
                }
            }
        }
        catch (IOException)
        {
            // The client side closed: the benchmark is over.
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }
}
