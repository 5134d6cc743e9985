using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using ParameterServer.Client;
using ParameterServer.Contracts;

namespace ParameterServer.Host.Chaos;

/// <summary>
/// A checksum of the whole parameter state of a cluster: for every model in the directory, its spec, its workers and
/// clocks, and for every shard its version, update count and values (bit for bit). Equal checksums before and after
/// a run of bad requests mean none of them changed anything.
/// </summary>
internal sealed record StateChecksum(ulong Value, int Models, int Shards)
{
    public static async Task<StateChecksum> ComputeAsync(ParameterServerClient client, CancellationToken ct)
    {
        var hash = new XxHash64();
        var shards = 0;
        var models = await client.ListModelsAsync(ct);
        foreach (var name in models)
        {
            var model = await client.OpenModelAsync(name, ct);
            var status = await model.GetStatusAsync(ct);
            Append(hash, $"{name} {model.Spec.Consistency} {model.Spec.WorkerLease} {status.MinClock} {status.MaxClock}");
            foreach (var worker in status.Workers)
                Append(hash, $"{worker.WorkerId} {worker.Clock}");
            foreach (var table in model.Spec.Tables)
            {
                Append(hash, table.ToString());
                var layout = model.Layout(table.Name);
                for (var s = 0; s < layout.ShardCount; s++)
                {
                    var shard = client.Grains.GetGrain<IShardGrain>(TableLayout.ShardKey(name, table.Name, s));
                    var info = await shard.GetInfo().WaitAsync(ct);
                    var values = await shard.Pull(new PullRequest { RowCount = info.RowCount }).WaitAsync(ct);
                    Append(hash, info.Version);
                    Append(hash, info.UpdateCount);
                    // The pull's version too: it must be the same snapshot's.
                    Append(hash, values!.Version);
                    hash.Append(values.Payload);
                    shards++;
                }
            }
        }
        return new StateChecksum(hash.GetCurrentHashAsUInt64(), models.Count, shards);
    }

    public override string ToString() => $"{Value:x16} over {Shards} shards of {Models} models";

    private static void Append(XxHash64 hash, string text) => hash.Append(Encoding.UTF8.GetBytes(text + "\n"));

    private static void Append(XxHash64 hash, long value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        hash.Append(bytes);
    }
}
