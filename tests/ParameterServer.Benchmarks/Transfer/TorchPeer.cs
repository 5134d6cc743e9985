using System.Globalization;
using ParameterServer.Benchmarks.Peers;

namespace ParameterServer.Benchmarks.Transfer;

/// <summary>
/// The PyTorch RPC parameter server of Peers/torch_rpc_ps.py, with TensorPipe's default transports (shared memory on
/// one host) and restricted to TCP, measured in the same run with the same shard size and counts in flight: the peer
/// the issues' goals (at least 1.0, issue 6; 1.6 at 4 in flight, issue 4) are set against over TCP.
/// </summary>
internal static class TorchPeer
{
    public const string Tcp = "tcp", Default = "default";

    /// <summary>Its rows in the transfer benchmark's measurements, one per mode.</summary>
    public static string Path(string mode) => $"torch {mode}";

    /// <summary>What it measured, keyed as the transfer benchmark keys its own paths (<see cref="Path"/>).</summary>
    public sealed record Figures(string TorchVersion, IReadOnlyDictionary<(string Path, bool Push, int InFlight), Measurement> Transfers);

    /// <summary>
    /// Runs the peer in each of <paramref name="modes"/> (comma-separated: default, tcp); throws when it cannot run, and
    /// when its server's shards do not hold the closed form of its pushes (the script then fails).
    /// </summary>
    public static async Task<Figures> MeasureAsync(TimeSpan duration, IReadOnlyList<int> inFlight, string modes, CancellationToken ct = default)
    {
        Console.WriteLine($"  torch_rpc_ps.py, modes {modes} ...");
        var output = await PeerRunner.RunJsonAsync("torch_rpc_ps.py",
            ["--seconds", duration.TotalSeconds.ToString(CultureInfo.InvariantCulture), "--modes", modes, "--in-flight", string.Join(',', inFlight)],
            TimeSpan.FromMinutes(10), ct);
        var transfers = new Dictionary<(string, bool, int), Measurement>();
        foreach (var row in output.GetProperty("figures").EnumerateArray())
        {
            var path = Path(row.GetProperty("mode").GetString() ?? "");
            var n = row.GetProperty("in_flight").GetInt32();
            transfers[(path, true, n)] = new Measurement(row.GetProperty("push_gbps").GetDouble(), row.GetProperty("push_cpu_seconds_per_gb").GetDouble());
            transfers[(path, false, n)] = new Measurement(row.GetProperty("pull_gbps").GetDouble(), row.GetProperty("pull_cpu_seconds_per_gb").GetDouble());
        }
        var version = output.GetProperty("torch_version").GetString() ?? "";
        Console.WriteLine($"  torch {version}: updates verified");
        return new Figures(version, transfers);
    }
}
