using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace ParameterServer.DataPlane;

/// <summary>
/// Receive buffers under a memory cap: a rent that would pass the cap fails instead of growing, which is how a lane
/// server applies backpressure. Arrays come from <see cref="ArrayPool{T}.Shared"/>; the cap counts their real length.
/// </summary>
public sealed class BufferPool
{
    private long _rentedBytes;

    public BufferPool(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        CapacityBytes = capacityBytes;
    }

    public long CapacityBytes { get; }

    /// <summary>Bytes of the arrays rented and not yet returned.</summary>
    public long RentedBytes => Interlocked.Read(ref _rentedBytes);

    /// <summary>A buffer of at least <paramref name="length"/> bytes, or false when it would pass the cap.</summary>
    public bool TryRent(int length, [NotNullWhen(true)] out byte[]? buffer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        // The shared pool hands out power-of-two arrays: reserve that much first, so concurrent renters never
        // overshoot the cap together.
        var reserved = length == 0 ? 0 : (long)BitOperations.RoundUpToPowerOf2((uint)length);
        if (Interlocked.Add(ref _rentedBytes, reserved) > CapacityBytes)
        {
            Interlocked.Add(ref _rentedBytes, -reserved);
            buffer = null;
            return false;
        }
        buffer = length == 0 ? [] : ArrayPool<byte>.Shared.Rent(length);
        if (buffer.Length != reserved)
            Interlocked.Add(ref _rentedBytes, buffer.Length - reserved);
        return true;
    }

    public void Return(byte[] buffer)
    {
        if (buffer.Length == 0)
            return;
        Interlocked.Add(ref _rentedBytes, -buffer.Length);
        ArrayPool<byte>.Shared.Return(buffer);
    }
}
