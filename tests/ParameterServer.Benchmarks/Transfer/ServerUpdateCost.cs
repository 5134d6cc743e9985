using System.Diagnostics;
using ParameterServer.Contracts;
using ParameterServer.Kernels.Stats;

namespace ParameterServer.Benchmarks.Transfer;

/// <summary>
/// What a push costs the silo beyond moving its bytes, measured in this process in the same run: the NaN/Inf screen
/// and the SGD update of one 4 MiB shard per push, each on its own, the shards taken in turn and the gradients from as
/// many buffers as pushes in flight, so that values and gradients miss the cache as often as they do in the silo. A raw
/// socket copy does neither, so push's CPU-seconds per GB less these is what lanes and the commit cost against raw
/// sockets. (The silo screens each piece as it arrives, still in cache, so the screen measured here, reading the
/// gradient anew, is an upper bound.)
/// </summary>
internal static class ServerUpdateCost
{
    /// <summary>GB/s on one thread and CPU-seconds per GB (1e9 bytes of gradient) of the screen alone and of the update alone.</summary>
    public static (Measurement Screen, Measurement Update) Measure(int shards, int shardFloats, int inFlight, float learningRate, TimeSpan duration)
    {
        var updater = new Updater(OptimizerSpec.Sgd(learningRate), shards * shardFloats);
        var values = new float[shards * shardFloats];
        var gradients = new float[inFlight][];
        for (var b = 0; b < inFlight; b++)
        {
            gradients[b] = new float[shardFloats];
            for (var i = 0; i < shardFloats; i++)
                gradients[b][i] = i % 17 - 8;
        }
        var screen = Run(shardFloats, duration, push =>
        {
            if (!TensorStats.AllFinite(gradients[push % inFlight]))
                throw new InvalidOperationException("the benchmark's gradients are finite");
        });
        var update = Run(shardFloats, duration, push => updater.Apply(values, gradients[push % inFlight], (int)(push % shards) * shardFloats, push));
        return (screen, update);
    }

    private static Measurement Run(int shardFloats, TimeSpan duration, Action<long> push)
    {
        var self = Environment.ProcessId;
        var cpuBefore = ProcessCpu.Seconds(self);
        var clock = Stopwatch.StartNew();
        var pushes = 0L;
        while (clock.Elapsed < duration)
            push(pushes++);
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = ProcessCpu.Seconds(self) - cpuBefore;
        var gigabytes = pushes * (double)shardFloats * sizeof(float) / 1e9;
        return new Measurement(gigabytes / seconds, cpu / gigabytes);
    }
}
