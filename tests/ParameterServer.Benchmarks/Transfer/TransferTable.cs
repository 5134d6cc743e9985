namespace ParameterServer.Benchmarks.Transfer;

/// <summary>
/// The transfer benchmark's measurements as one table: per count in flight, raw sockets, lanes, grain calls and (when
/// measured) PyTorch RPC over TCP and with its default transports, with GB/s, the ratio to raw and CPU-seconds per GB
/// of both processes.
/// </summary>
internal static class TransferTable
{
    public static void Print(TextWriter output, IReadOnlyList<int> inFlight, IReadOnlyDictionary<(string Path, bool Push, int InFlight), Measurement> measured)
    {
        output.WriteLine();
        output.WriteLine($"{"in flight",9}  {"path",-13} {"push GB/s",9} {"x raw",6} {"CPU-s/GB",8}   {"pull GB/s",9} {"x raw",6} {"CPU-s/GB",8}");
        foreach (var n in inFlight)
        {
            foreach (var path in TransferBenchmark.Paths)
            {
                if (!measured.TryGetValue((path, true, n), out var push))
                    continue;
                var pull = measured[(path, false, n)];
                var (rawPush, rawPull) = (measured[(TransferBenchmark.Raw, true, n)], measured[(TransferBenchmark.Raw, false, n)]);
                output.WriteLine($"{n,9}  {path,-13} {push.GigabytesPerSecond,9:0.00} {push.GigabytesPerSecond / rawPush.GigabytesPerSecond,6:0.00} " +
                    $"{push.CpuSecondsPerGigabyte,8:0.00}   {pull.GigabytesPerSecond,9:0.00} {pull.GigabytesPerSecond / rawPull.GigabytesPerSecond,6:0.00} " +
                    $"{pull.CpuSecondsPerGigabyte,8:0.00}");
            }
        }
    }
}
