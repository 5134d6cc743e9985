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

    public sealed record Figures(string TorchVersion, bool UpdatesVerified, IReadOnlyDictionary<(string Mode, bool Push, int InFlight), Measurement> Transfers);

    /// <summary>Runs the peer in each of <paramref name="modes"/> (comma-separated: default, tcp).</summary>
    public static async Task<Figures> MeasureAsync(TimeSpan duration, IReadOnlyList<int> inFlight, string modes)
    {
        Console.WriteLine($"  torch_rpc_ps.py, modes {modes} ...");
        var output = await PeerRunner.RunJsonAsync("torch_rpc_ps.py",
            ["--seconds", duration.TotalSeconds.ToString(CultureInfo.InvariantCulture), "--modes", modes, "--in-flight", string.Join(',', inFlight)],
            TimeSpan.FromMinutes(10));
        var transfers = new Dictionary<(string, bool, int), Measurement>();
        foreach (var row in output.GetProperty("figures").EnumerateArray())
        {
            var mode = row.GetProperty("mode").GetString() ?? "";
            var n = row.GetProperty("in_flight").GetInt32();
            transfers[(mode, true, n)] = new Measurement(row.GetProperty("push_gbps").GetDouble(), row.GetProperty("push_cpu_seconds_per_gb").GetDouble());
            transfers[(mode, false, n)] = new Measurement(row.GetProperty("pull_gbps").GetDouble(), row.GetProperty("pull_cpu_seconds_per_gb").GetDouble());
        }
        var verified = output.GetProperty("updates_verified").EnumerateObject().All(mode => mode.Value.GetBoolean());
        return new Figures(output.GetProperty("torch_version").GetString() ?? "", verified, transfers);
    }
}
