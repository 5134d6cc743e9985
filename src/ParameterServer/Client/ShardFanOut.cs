namespace ParameterServer.Client;

/// <summary>Sends one call per shard with a bounded number in flight: enough to keep several silo threads and the
/// network busy (DESIGN.md measured 4-8), few enough not to queue megabytes of payload at once.</summary>
internal static class ShardFanOut
{
    public const int MaxInFlight = 8;

    public static Task ForEachAsync<T>(IReadOnlyList<T> items, CancellationToken ct, Func<T, CancellationToken, ValueTask> call)
    {
        // A single slice (small tables, short row ranges) needs no scheduling.
        if (items.Count == 1)
            return call(items[0], ct).AsTask();
        return Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = MaxInFlight, CancellationToken = ct }, call);
    }
}
