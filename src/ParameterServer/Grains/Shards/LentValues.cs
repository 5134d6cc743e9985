namespace ParameterServer.Grains.Shards;

/// <summary>
/// A shard's fp32 values lent to lanes that send them as they are, without a copy. Copy on write: while a lane still
/// sends the live array, the shard's next update goes to a copy, so a snapshot on its way is never torn, and all pulls
/// of one version share one array. Leases are taken in the shard's turn and given back from the lanes' threads; since
/// none is taken outside the turn, a count of zero seen in the turn stays zero until the turn ends.
/// </summary>
internal sealed class LentValues
{
    private Loan? _loan;

    /// <summary>In the shard's turn: a lease on <paramref name="values"/>, the live array; dispose it once sent.</summary>
    public IDisposable Lend(float[] values)
    {
        if (_loan is null || !ReferenceEquals(_loan.Values, values))
            _loan = new Loan(values);
        return _loan.Take();
    }

    /// <summary>
    /// In the shard's turn, before the live values change in place: the array to change, <paramref name="values"/>
    /// itself or, while lanes still send it, a copy that becomes the live array.
    /// </summary>
    public float[] Writable(float[] values)
    {
        if (_loan is not { IsOut: true } loan || !ReferenceEquals(loan.Values, values))
            return values;
        _loan = null;
        return (float[])values.Clone();
    }

    /// <summary>One array's leases.</summary>
    private sealed class Loan(float[] values)
    {
        private int _leases;

        public float[] Values { get; } = values;

        public bool IsOut => Volatile.Read(ref _leases) > 0;

        public IDisposable Take()
        {
            Interlocked.Increment(ref _leases);
            return new Lease(this);
        }

        private void Return() => Interlocked.Decrement(ref _leases);

        private sealed class Lease(Loan loan) : IDisposable
        {
            private int _returned;

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _returned, 1) == 0)
                    loan.Return();
            }
        }
    }
}
