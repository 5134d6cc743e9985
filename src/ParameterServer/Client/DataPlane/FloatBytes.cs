using System.Buffers;
using System.Runtime.InteropServices;

namespace ParameterServer.Client.DataPlane;

/// <summary>
/// Float memory seen as its bytes, without a copy: fp32 travels as little-endian floats, so lanes send a gradient
/// straight from the caller's memory and receive pulled values straight into the caller's buffer (an array or pinned
/// host memory alike).
/// </summary>
internal sealed class FloatBytes(Memory<float> values) : MemoryManager<byte>
{
    public static Memory<byte> Of(Memory<float> values) => new FloatBytes(values).Memory;

    public static ReadOnlyMemory<byte> Of(ReadOnlyMemory<float> values) => Of(MemoryMarshal.AsMemory(values));

    public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(values.Span);

    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        var floats = values.Pin();
        return new MemoryHandle((byte*)floats.Pointer + elementIndex, pinnable: new Pinned(floats));
    }

    public override void Unpin()
    {
        // Each pin is released through its own Pinned.
    }

    protected override void Dispose(bool disposing)
    {
        // Nothing is owned: the floats are the caller's.
    }

    /// <summary>Releases the floats' pin when the byte view's handle is disposed.</summary>
    private sealed class Pinned(MemoryHandle floats) : IPinnable
    {
        private MemoryHandle _floats = floats;

        public MemoryHandle Pin(int elementIndex) => throw new NotSupportedException();

        public void Unpin() => _floats.Dispose();
    }
}
