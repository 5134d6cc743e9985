namespace ParameterServer.Workers.Data;

/// <summary>The unsigned bytes of an IDX file, row-major, with their dimensions (the first one counts the items).</summary>
public sealed class IdxArray
{
    public IdxArray(int[] dimensions, byte[] values)
    {
        Dimensions = dimensions;
        Values = values;
    }

    public IReadOnlyList<int> Dimensions { get; }

    public byte[] Values { get; }

    public int Count => Dimensions[0];
}
