using System.Buffers.Binary;
using System.Net;
using ParameterServer.Contracts;

namespace ParameterServer.Host.Chaos;

/// <summary>
/// What the bad requests aim at: two models of the chaos run's own (one asynchronous, one BSP) whose shards exist,
/// names that exist nowhere, and the data ports of the silos that host the shards. Also builds the payloads the
/// requests carry.
/// </summary>
/// <param name="grains">Where the requests go.</param>
/// <param name="seed">The run's seed, which names its unknown models.</param>
/// <param name="laneTimeout">The silos' frame timeout (DataPlane:FrameTimeoutSeconds): a stalled lane is closed within it.</param>
internal sealed class ChaosTargets(IGrainFactory grains, int seed, TimeSpan laneTimeout)
{
    /// <summary>Unknown names come from a small pool, so a long run activates a bounded number of grains.</summary>
    private const int GhostNames = 8;

    /// <summary>Slack over the frame timeout for a busy machine: a lane still open after both counts as held.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(5);

    public static readonly ModelSpec AsyncModel = new()
    {
        Name = "chaos-async",
        Consistency = ConsistencySpec.Async,
        Tables =
        [
            new TableSpec { Name = "sgd", Rows = 10, Cols = 3, ShardRows = 4, Initializer = InitializerSpec.Uniform(-1f, 1f, 7), Optimizer = OptimizerSpec.Sgd(0.5f) },
            new TableSpec { Name = "adamw", Rows = 6, Cols = 5, ShardRows = 3, Initializer = InitializerSpec.Normal(0f, 0.1f, 8), Optimizer = OptimizerSpec.AdamW(0.01f) },
        ],
    };

    /// <summary>The one worker of <see cref="BspModel"/>: a push for a clock from anyone else is refused.</summary>
    public const string BspWorker = "chaos";

    public static readonly ModelSpec BspModel = new()
    {
        Name = "chaos-bsp",
        Consistency = ConsistencySpec.Bsp,
        // Its worker, which never reports a clock, stays a member for any run: the state checksum covers the members.
        WorkerLease = TimeSpan.FromDays(1),
        Tables = [new TableSpec { Name = "w", Rows = 8, Cols = 4, ShardRows = 4, Optimizer = OptimizerSpec.WithMomentum(0.1f) }],
    };

    /// <summary>
    /// The largest model a spec may describe: 2^16 shards of 32 MiB under AdamW, 2 TiB of values and 4 TiB of slots. Valid,
    /// and beyond what any silo lets one model take.
    /// </summary>
    public static ModelSpec LargestModel(string name) => new()
    {
        Name = name,
        Tables = [new TableSpec { Name = "huge", Rows = 1 << 26, Cols = 1 << 13, ShardRows = 1 << 10, Optimizer = OptimizerSpec.AdamW(0.001f) }],
    };

    public IGrainFactory Grains { get; } = grains;

    /// <summary>How long a lane waits for the silo's answer, or for the silo to close a stalled lane.</summary>
    public TimeSpan LaneDeadline { get; } = laneTimeout + Slack;

    /// <summary>A model name that no model has (the pool is the same for every run with this seed).</summary>
    public string GhostModel(Random random) => $"chaos-ghost-{seed}-{random.Next(GhostNames)}";

    public IShardGrain Shard(string model, string table, int shard) => Grains.GetGrain<IShardGrain>(TableLayout.ShardKey(model, table, shard));

    public IModelGrain Model(string name) => Grains.GetGrain<IModelGrain>(name);

    /// <summary>A shard of <paramref name="model"/> that exists: its setup and row count.</summary>
    public static (ShardSetup Setup, int Rows) AnyShard(Random random, ModelSpec model)
    {
        var table = model.Tables[random.Next(model.Tables.Count)];
        var layout = new TableLayout(table);
        var shard = random.Next(layout.ShardCount);
        var setup = new ShardSetup { Model = model.Name, Table = table, Shard = shard, Consistency = model.Consistency.Mode };
        return (setup, layout.ShardRange(shard).RowCount);
    }

    public IShardGrain Grain(ShardSetup setup) => Shard(setup.Model, setup.Table.Name, setup.Shard);

    /// <summary>Every shard of the chaos models.</summary>
    public static IEnumerable<ShardSetup> AllShards() =>
        from model in new[] { AsyncModel, BspModel }
        from table in model.Tables
        from shard in Enumerable.Range(0, new TableLayout(table).ShardCount)
        select new ShardSetup { Model = model.Name, Table = table, Shard = shard, Consistency = model.Consistency.Mode };

    public static string Key(ShardSetup setup) => TableLayout.ShardKey(setup.Model, setup.Table.Name, setup.Shard);

    /// <summary>A lane to the data port of the silo that hosts <paramref name="setup"/>'s shard.</summary>
    public async Task<ChaosLane> ConnectAsync(ShardSetup setup) => await ChaosLane.ConnectAsync(await DataPortAsync(setup), LaneDeadline);

    /// <summary>The data port of the silo that hosts the shard, as the shard tells its clients.</summary>
    public async Task<IPEndPoint> DataPortAsync(ShardSetup setup)
    {
        var endpoint = await Grain(setup).GetDataEndpoint() ?? throw new InvalidOperationException($"the silo of shard {Key(setup)} has no data port");
        var address = IPAddress.TryParse(endpoint.Host, out var ip) ? ip : (await Dns.GetHostAddressesAsync(endpoint.Host))[0];
        return new IPEndPoint(address, endpoint.Port);
    }

    /// <summary>A push token drawn from <paramref name="random"/>: the same seed sends the same tokens.</summary>
    public static Guid Token(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    /// <summary>A valid range of rows of a shard of <paramref name="rows"/> rows.</summary>
    public static (int Offset, int Count) AnyRows(Random random, int rows)
    {
        var offset = random.Next(rows);
        return (offset, 1 + random.Next(rows - offset));
    }

    /// <summary>Values in [-1, 1), encoded: a payload a shard would accept for <paramref name="count"/> values.</summary>
    public static byte[] FinitePayload(Random random, int count, TensorEncoding encoding)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
            values[i] = random.NextSingle() * 2 - 1;
        return PayloadCodec.Encode(values, encoding);
    }

    /// <summary>Random bytes of the right length for <paramref name="count"/> values, one of which is NaN or an infinity.</summary>
    public static byte[] NonFinitePayload(Random random, int count, TensorEncoding encoding)
    {
        var size = encoding.ElementSize();
        var bytes = new byte[count * size];
        random.NextBytes(bytes);
        var at = bytes.AsSpan(random.Next(count) * size, size);
        var kind = random.Next(3); // NaN, +Inf, -Inf
        switch (encoding)
        {
            case TensorEncoding.Fp32:
                BinaryPrimitives.WriteSingleLittleEndian(at, kind switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => float.NegativeInfinity });
                break;
            case TensorEncoding.Bf16:
                BinaryPrimitives.WriteUInt16LittleEndian(at, kind switch { 0 => (ushort)0x7FC1, 1 => (ushort)0x7F80, _ => (ushort)0xFF80 });
                break;
            default:
                BinaryPrimitives.WriteUInt16LittleEndian(at, kind switch { 0 => (ushort)0x7E01, 1 => (ushort)0x7C00, _ => (ushort)0xFC00 });
                break;
        }
        return bytes;
    }

    /// <summary>An encoding number that names no <see cref="TensorEncoding"/>.</summary>
    public static TensorEncoding UnknownEncoding(Random random)
    {
        int value;
        do value = random.Next(2) == 0 ? random.Next(-4, 16) : random.Next(int.MinValue, int.MaxValue);
        while (Enum.IsDefined((TensorEncoding)value));
        return (TensorEncoding)value;
    }

    /// <summary>A row range that is not inside a shard of <paramref name="rows"/> rows.</summary>
    public static (int Offset, int Count) RowsOutside(Random random, int rows) => random.Next(6) switch
    {
        0 => (-1 - random.Next(1000), 1),
        1 => (int.MinValue, rows),
        2 => (random.Next(rows, int.MaxValue), 1),
        3 => (0, -random.Next(int.MaxValue)),
        4 => (random.Next(rows), rows + 1 + random.Next(1000)),
        _ => (int.MaxValue, int.MaxValue),
    };

    public static TensorEncoding AnyEncoding(Random random) => (TensorEncoding)random.Next(3);
}
