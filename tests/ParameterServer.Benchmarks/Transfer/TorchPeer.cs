using System.Globalization;
using ParameterServer.Benchmarks.Peers;

namespace ParameterServer.Benchmarks.Transfer;

/// <summary>
/// The PyTorch RPC parameter server of Peers/torch_rpc_ps.py restricted to TCP, measured in the same run with the same
/// shard size and counts in flight: the peer issue 4's 1.6x goal is set against.
/// </summary>
internal static class TorchPeer
{
    public const string Path = "torch tcp";

    /// <summary>Push and pull figures by count in flight; throws when the peer cannot run or its updates were wrong.</summary>
    public static async Task<Dictionary<(bool Push, int InFlight), Measurement>> MeasureAsync(TimeSpan duration, IReadOnlyList<int> inFlight)
    {
        Console.WriteLine("  torch_rpc_ps.py over TCP ...");
        var output = await PeerRunner.RunJsonAsync("torch_rpc_ps.py",
            ["--seconds", duration.TotalSeconds.ToString(CultureInfo.InvariantCulture), "--modes", "tcp", "--in-flight", string.Join(',', inFlight)],
            TimeSpan.FromMinutes(10));
        if (!output.GetProperty("updates_verified").GetProperty("tcp").GetBoolean())
            throw new InvalidOperationException("torch_rpc_ps.py's shards did not hold the closed form of its pushes");
        var transfers = new Dictionary<(bool, int), Measurement>();
        foreach (var row in output.GetProperty("figures").EnumerateArray())
        {
            var n = row.GetProperty("in_flight").GetInt32();
            transfers[(true, n)] = new Measurement(row.GetProperty("push_gbps").GetDouble(), row.GetProperty("push_cpu_seconds_per_gb").GetDouble());
            transfers[(false, n)] = new Measurement(row.GetProperty("pull_gbps").GetDouble(), row.GetProperty("pull_cpu_seconds_per_gb").GetDouble());
        }
        Console.WriteLine($"  torch {output.GetProperty("torch_version").GetString()}: updates verified");
        return transfers;
    }
}
