using System.Text.Json;

namespace ParameterServer.Benchmarks.Transfer;

/// <summary>
/// The transfer benchmark's figures: a table per count in flight (raw, lanes, grain calls and PyTorch over TCP; GB/s,
/// ratio to raw, CPU-seconds per GB) and issue 4's goals at 4 in flight, printed and as JSON.
/// </summary>
internal sealed class TransferReport(
    int shardBytes, int shards, TimeSpan duration, int rounds, IReadOnlyList<int> inFlight,
    IReadOnlyDictionary<(string Path, bool Push, int InFlight), Measurement> figures, TorchPeer.Figures? torch, bool updatesVerified)
{
    private const int GoalInFlight = 4;
    private const double RawRatioGoal = 0.8, CpuGoal = 1.0, TorchRatioGoal = 1.6;
    private static readonly string[] Paths = ["raw", "lanes", "grains"];

    public void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"{"in flight",9}  {"path",-10} {"push GB/s",9} {"x raw",6} {"CPU-s/GB",8}   {"pull GB/s",9} {"x raw",6} {"CPU-s/GB",8}");
        foreach (var n in inFlight)
        {
            foreach (var path in Paths)
                output.WriteLine(Row(n, path, figures[(path, true, n)], figures[(path, false, n)]));
            if (torch is not null && torch.Transfers.TryGetValue((true, n), out var push))
                output.WriteLine(Row(n, "torch tcp", push, torch.Transfers[(false, n)]));
        }
        output.WriteLine();
        output.WriteLine($"updates verified: lanes and grains {(updatesVerified ? "yes" : "NO")}" +
            (torch is null ? "" : $", torch {torch.TorchVersion} {(torch.UpdatesVerified ? "yes" : "NO")}"));
        output.WriteLine($"goals at {GoalInFlight} in flight (lanes):");
        foreach (var goal in Goals())
            output.WriteLine($"  {goal.Name,-28} {goal.Value,6:0.00}  {(goal.Met ? "met" : "NOT met")}");
    }

    public void WriteJson(string path)
    {
        var rows = inFlight.SelectMany(n => Paths.Select(p => Json(p, figures[(p, true, n)], figures[(p, false, n)], n))).ToList();
        if (torch is not null)
            rows.AddRange(inFlight.Where(n => torch.Transfers.ContainsKey((true, n))).Select(n => Json("torch_tcp", torch.Transfers[(true, n)], torch.Transfers[(false, n)], n)));
        var document = new
        {
            ShardBytes = shardBytes,
            Shards = shards,
            SecondsPerMeasurement = duration.TotalSeconds,
            Rounds = rounds,
            Cores = Environment.ProcessorCount,
            Figures = rows,
            UpdatesVerified = updatesVerified,
            Torch = torch is null ? null : new { torch.TorchVersion, torch.UpdatesVerified },
            Goals = Goals().Select(g => new { g.Name, g.Value, g.Met }),
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
    }

    private IEnumerable<(string Name, double Value, bool Met)> Goals()
    {
        foreach (var push in new[] { true, false })
        {
            var direction = push ? "push" : "pull";
            var lanes = figures[("lanes", push, GoalInFlight)];
            var ratio = lanes.GigabytesPerSecond / figures[("raw", push, GoalInFlight)].GigabytesPerSecond;
            yield return ($"{direction} x raw >= {RawRatioGoal}", ratio, ratio >= RawRatioGoal);
            yield return ($"{direction} CPU-s/GB <= {CpuGoal}", lanes.CpuSecondsPerGigabyte, lanes.CpuSecondsPerGigabyte <= CpuGoal);
            if (torch is not null && torch.Transfers.TryGetValue((push, GoalInFlight), out var peer))
            {
                var overTorch = lanes.GigabytesPerSecond / peer.GigabytesPerSecond;
                yield return ($"{direction} x torch tcp >= {TorchRatioGoal}", overTorch, overTorch >= TorchRatioGoal);
            }
        }
    }

    private string Row(int n, string path, Measurement push, Measurement pull)
    {
        var rawPush = figures[("raw", true, n)].GigabytesPerSecond;
        var rawPull = figures[("raw", false, n)].GigabytesPerSecond;
        return $"{n,9}  {path,-10} {push.GigabytesPerSecond,9:0.00} {push.GigabytesPerSecond / rawPush,6:0.00} {push.CpuSecondsPerGigabyte,8:0.00}   " +
            $"{pull.GigabytesPerSecond,9:0.00} {pull.GigabytesPerSecond / rawPull,6:0.00} {pull.CpuSecondsPerGigabyte,8:0.00}";
    }

    private object Json(string path, Measurement push, Measurement pull, int n) => new
    {
        Path = path,
        InFlight = n,
        PushGbps = push.GigabytesPerSecond,
        PushRatioToRaw = push.GigabytesPerSecond / figures[("raw", true, n)].GigabytesPerSecond,
        PushCpuSecondsPerGb = push.CpuSecondsPerGigabyte,
        PullGbps = pull.GigabytesPerSecond,
        PullRatioToRaw = pull.GigabytesPerSecond / figures[("raw", false, n)].GigabytesPerSecond,
        PullCpuSecondsPerGb = pull.CpuSecondsPerGigabyte,
    };
}
