using System.Diagnostics;
using Orleans.Runtime.Messaging;
using ParameterServer.Contracts;

namespace ParameterServer.Client;

/// <summary>
/// Repeats a call that failed because a silo went away under it (no answer within the response timeout, the target or
/// the gateway gone): once the cluster has noticed, the grain reactivates on a live silo and the repeated call reaches
/// it. Delays double from 50 ms to 2 s, for up to <see cref="Window"/>. A refusal (<see cref="ParameterServerException"/>)
/// is an answer, never repeated. Every call repeated here is idempotent; a push is made so by its <see cref="PushId"/>,
/// which the shard de-duplicates on.
/// </summary>
internal static class TransientRetry
{
    /// <summary>Long enough for a cluster to detect a dead silo (Orleans' default about 15 s) and reactivate its grains.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(2);

    public static async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var delay = FirstDelay;
        while (true)
        {
            try
            {
                return await call().WaitAsync(ct);
            }
            catch (Exception e) when (IsTransient(e) && Stopwatch.GetElapsedTime(started) + delay < Window)
            {
                await Task.Delay(delay, ct);
                delay = delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
            }
        }
    }

    public static Task RunAsync(Func<Task> call, CancellationToken ct) =>
        RunAsync(async () =>
        {
            await call();
            return true;
        }, ct);

    private static bool IsTransient(Exception e) =>
        e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException;
}
