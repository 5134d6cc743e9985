using ParameterServer.Contracts;
using ErrorCode = ParameterServer.Contracts.ErrorCode;
using static ParameterServer.Host.Chaos.ChaosTargets;

namespace ParameterServer.Host.Chaos;

/// <summary>
/// The catalog of hostile requests: garbage payloads, wrong lengths, NaN and Inf, unknown encodings, rows out of
/// range, unknown models, tables and shards, malformed keys, calls out of order, invalid specs, oversized requests.
/// Each goes straight to a grain (the client API would refuse most of them before sending); those on the silos' data
/// ports follow (<see cref="BadFrames"/>).
/// </summary>
internal static class BadRequests
{
    /// <summary>Bigger than any shard, smaller than the message limit: garbage the silo itself must refuse.</summary>
    private const int LargeGarbageBytes = 4 << 20;

    // One oversized payload for every oversized request: the client refuses it before sending, so it is never changed.
    private static readonly Lazy<byte[]> Oversized = new(() => new byte[Limits.MaxMessageBytes + 1]);

    public static readonly BadRequest[] All =
    [
        new("push: random bytes of a wrong length", ErrorCode.WrongLength, 4, (t, r) =>
        {
            var (setup, rows) = AnyShard(r, AsyncModel);
            var (offset, count) = AnyRows(r, rows);
            var expected = count * setup.Table.Cols * 4;
            var length = r.Next(2 * expected + 8);
            if (length == expected) length++;
            var payload = new byte[length];
            r.NextBytes(payload);
            return t.Grain(setup).Push(new PushRequest { RowOffset = offset, RowCount = count, Payload = payload });
        }),
        new("push: NaN or Inf (fp32, bf16, fp16)", ErrorCode.NonFinite, 4, (t, r) =>
        {
            var (setup, rows) = AnyShard(r, AsyncModel);
            var (offset, count) = AnyRows(r, rows);
            var encoding = AnyEncoding(r);
            return t.Grain(setup).Push(new PushRequest
            {
                RowOffset = offset, RowCount = count, Encoding = encoding, Payload = NonFinitePayload(r, count * setup.Table.Cols, encoding),
            });
        }),
        new("push: NaN or Inf under BSP", ErrorCode.NonFinite, 2, (t, r) =>
        {
            var (setup, rows) = AnyShard(r, BspModel);
            return t.Grain(setup).Push(new PushRequest
            {
                WorkerId = BspWorker, Clock = r.Next(100), RowCount = rows, Payload = NonFinitePayload(r, rows * setup.Table.Cols, TensorEncoding.Fp32),
            });
        }),
        new("push for a clock under BSP from no worker or one that never joined", ErrorCode.UnknownWorker, 2, (t, r) =>
        {
            var (setup, rows) = AnyShard(r, BspModel);
            string?[] ids = [null, "", $"chaos-stranger-{r.Next(1000)}", $"{BspWorker}-not"];
            return t.Grain(setup).Push(new PushRequest
            {
                WorkerId = ids[r.Next(ids.Length)]!, Clock = r.Next(100), RowCount = rows, Payload = FinitePayload(r, rows * setup.Table.Cols, TensorEncoding.Fp32),
            });
        }),
        new("push: unknown encoding", ErrorCode.UnknownEncoding, 2, (t, r) =>
        {
            var (setup, rows) = AnyShard(r, AsyncModel);
            return t.Grain(setup).Push(new PushRequest
            {
                RowCount = rows, Encoding = UnknownEncoding(r), Payload = FinitePayload(r, rows * setup.Table.Cols, TensorEncoding.Fp32),
            });
        }),
        new("push: rows out of range (negative, past the end, huge)", ErrorCode.RowsOutOfRange, 3, (t, r) =>
        {
            var (setup, rows) = AnyShard(r, AsyncModel);
            var (offset, count) = RowsOutside(r, rows);
            return t.Grain(setup).Push(new PushRequest
            {
                RowOffset = offset, RowCount = count, Payload = FinitePayload(r, rows * setup.Table.Cols, TensorEncoding.Fp32),
            });
        }),
        new("push: no payload", ErrorCode.WrongLength, 1, (t, r) =>
        {
            var (setup, rows) = AnyShard(r, AsyncModel);
            return t.Grain(setup).Push(new PushRequest { RowCount = rows, Payload = null! });
        }),
        new("push: no request", ErrorCode.InvalidArgument, 1, (t, r) => t.Grain(AnyShard(r, AsyncModel).Setup).Push(null!)),
        new("push: 4 MiB of garbage", ErrorCode.WrongLength, 1, (t, r) =>
        {
            var (setup, rows) = AnyShard(r, AsyncModel);
            var payload = new byte[LargeGarbageBytes];
            r.NextBytes(payload);
            return t.Grain(setup).Push(new PushRequest { RowCount = rows, Payload = payload });
        }),
        new("push: over the message size limit", ErrorCode.MessageTooLarge, 1, (t, r) =>
        {
            var (setup, rows) = AnyShard(r, AsyncModel);
            return t.Grain(setup).Push(new PushRequest { RowCount = rows, Payload = Oversized.Value });
        }),
        new("pull: rows out of range", ErrorCode.RowsOutOfRange, 2, (t, r) =>
        {
            var (setup, rows) = AnyShard(r, AsyncModel);
            var (offset, count) = RowsOutside(r, rows);
            return t.Grain(setup).Pull(new PullRequest { RowOffset = offset, RowCount = count, KnownVersion = r.NextInt64(-5, 5) });
        }),
        new("pull: unknown encoding", ErrorCode.UnknownEncoding, 2, (t, r) =>
        {
            var (setup, rows) = AnyShard(r, AsyncModel);
            return t.Grain(setup).Pull(new PullRequest { RowCount = rows, Encoding = UnknownEncoding(r) });
        }),
        new("pull: no request", ErrorCode.InvalidArgument, 1, (t, r) => t.Grain(AnyShard(r, AsyncModel).Setup).Pull(null!)),
        new("shard call to an unknown model", ErrorCode.UnknownModel, 3, (t, r) => AnyShardCall(t.Shard(t.GhostModel(r), "sgd", 0), r)),
        new("shard call to an unknown table", ErrorCode.UnknownTable, 2, (t, r) => AnyShardCall(t.Shard(AsyncModel.Name, "nosuchtable", r.Next(3)), r)),
        new("shard call to a shard past the table's last", ErrorCode.UnknownShard, 2, (t, r) =>
        {
            var table = AsyncModel.Tables[r.Next(AsyncModel.Tables.Count)];
            var shards = new TableLayout(table).ShardCount;
            return AnyShardCall(t.Shard(AsyncModel.Name, table.Name, shards + r.Next(8)), r);
        }),
        new("shard call with a malformed key", ErrorCode.UnknownShard, 2, (t, r) =>
        {
            string[] keys = ["x", "chaos-async/sgd", "chaos-async/sgd/0/1", "chaos-async/sgd/-1", "chaos-async/sgd/one", "chaos-async/sgd/99999999999", "//"];
            return AnyShardCall(t.Grains.GetGrain<IShardGrain>(keys[r.Next(keys.Length)]), r);
        }),
        new("apply a clock on a shard that is not BSP", ErrorCode.InvalidArgument, 2, (t, r) =>
            t.Grain(AnyShard(r, AsyncModel).Setup).ApplyClock(r.Next(100))),
        new("apply a negative clock", ErrorCode.InvalidArgument, 1, (t, r) =>
            t.Grain(AnyShard(r, BspModel).Setup).ApplyClock(-1 - r.Next(1000))),
        new("initialize a shard with another shard's setup", ErrorCode.InvalidArgument, 1, (t, r) =>
        {
            var (setup, _) = AnyShard(r, AsyncModel);
            var (other, _) = AnyShard(r, BspModel);
            return t.Grain(setup).Initialize(other);
        }),
        new("initialize a shard with a different spec", ErrorCode.SpecMismatch, 1, (t, r) =>
        {
            var (setup, _) = AnyShard(r, AsyncModel);
            var table = setup.Table with { Optimizer = setup.Table.Optimizer with { LearningRate = setup.Table.Optimizer.LearningRate * 2 } };
            return t.Grain(setup).Initialize(setup with { Table = table });
        }),
        new("initialize a shard of a model that does not exist", ErrorCode.UnknownModel, 2, (t, r) =>
        {
            var (setup, _) = AnyShard(r, AsyncModel);
            var orphan = setup with { Model = t.GhostModel(r) };
            return t.Grain(orphan).Initialize(orphan);
        }),
        new("initialize a shard past its table's last", ErrorCode.UnknownShard, 1, (t, r) =>
        {
            var (setup, _) = AnyShard(r, AsyncModel);
            var beyond = setup with { Shard = new TableLayout(setup.Table).ShardCount + r.Next(8) };
            return t.Grain(beyond).Initialize(beyond);
        }),
        new("initialize a shard of a table the model does not have", ErrorCode.UnknownTable, 1, (t, r) =>
        {
            var (setup, _) = AnyShard(r, AsyncModel);
            var other = setup with { Table = setup.Table with { Name = "nosuchtable" }, Shard = 0 };
            return t.Grain(other).Initialize(other);
        }),
        new("initialize without a setup", ErrorCode.InvalidArgument, 1, (t, r) =>
        {
            var (setup, _) = AnyShard(r, AsyncModel);
            return t.Grain(setup).Initialize(r.Next(2) == 0 ? null! : setup with { Table = null! });
        }),
        new("create a model from an invalid spec", ErrorCode.InvalidSpec, 4, (t, r) =>
        {
            var name = t.GhostModel(r);
            var spec = InvalidSpecs.Damage(r, AsyncModel with { Name = name });
            return t.Model(name).Create(spec);
        }),
        new("create a model under another model's name", ErrorCode.InvalidSpec, 1, (t, r) => t.Model(t.GhostModel(r)).Create(AsyncModel)),
        new("create an existing model with another spec", ErrorCode.SpecMismatch, 1, (t, r) =>
            t.Model(AsyncModel.Name).Create(AsyncModel with { WorkerLease = AsyncModel.WorkerLease + TimeSpan.FromSeconds(1 + r.Next(100)) })),
        new("create without a spec", ErrorCode.InvalidSpec, 1, (t, r) => t.Model(t.GhostModel(r)).Create(null!)),
        new("create a model larger than the silos allow one model", ErrorCode.ModelTooLarge, 1, (t, r) =>
        {
            var name = t.GhostModel(r);
            return t.Model(name).Create(LargestModel(name));
        }),
        new("join with an invalid worker id", ErrorCode.InvalidSpec, 2, (t, r) =>
        {
            string?[] ids = [null, "", new string('w', Names.MaxLength + 1 + r.Next(1000)), "worker 1", "w/0", "wörker", "\0"];
            return t.Model(AsyncModel.Name).Join(ids[r.Next(ids.Length)]!);
        }),
        new("heartbeat or report a clock before joining", ErrorCode.UnknownWorker, 3, (t, r) =>
        {
            var model = t.Model(r.Next(2) == 0 ? AsyncModel.Name : BspModel.Name);
            var worker = r.Next(4) == 0 ? null! : $"chaos-stranger-{r.Next(1000)}";
            return r.Next(2) == 0 ? model.Heartbeat(worker) : model.ReportClock(worker, r.Next(1000));
        }),
        new("report a negative clock", ErrorCode.InvalidArgument, 1, (t, r) =>
            t.Model(BspModel.Name).ReportClock($"chaos-stranger-{r.Next(1000)}", -1 - r.NextInt64(long.MaxValue))),
        new("wait for a clock with a negative or too long timeout", ErrorCode.InvalidArgument, 1, (t, r) =>
        {
            var timeout = r.Next(2) == 0 ? TimeSpan.FromMilliseconds(-2 - r.Next(1000)) : TimeSpan.FromDays(25 + r.Next(1000));
            return t.Model(BspModel.Name).WaitForMinClock(r.Next(100), timeout);
        }),
        new("job call to an unknown model", ErrorCode.UnknownModel, 3, (t, r) =>
        {
            var model = t.Model(t.GhostModel(r));
            return r.Next(8) switch
            {
                0 => model.GetSpec(),
                1 => model.GetStatus(),
                2 => model.Join("chaos-worker"),
                3 => model.Heartbeat("chaos-worker"),
                4 => model.ReportClock("chaos-worker", 1),
                5 => model.Leave("chaos-worker"),
                6 => model.WaitForMinClock(1, TimeSpan.Zero),
                _ => model.Checkpoint(),
            };
        }),
        new("report a regression that is none (versions not falling, negative, no activation)", ErrorCode.InvalidArgument, 1, (t, r) =>
        {
            var (setup, _) = AnyShard(r, AsyncModel);
            var key = TableLayout.ShardKey(setup.Model, setup.Table.Name, setup.Shard);
            VersionRegression[] reports =
            [
                new() { Shard = key, Activation = 1 + r.Next(1000), RestoredVersion = 10, LastAcknowledged = 10 - r.Next(11) },
                new() { Shard = key, Activation = 1 + r.Next(1000), RestoredVersion = -1 - r.Next(1000), LastAcknowledged = 5 },
                new() { Shard = key, Activation = -r.Next(1000), RestoredVersion = 1, LastAcknowledged = 5 },
                new() { Shard = TableLayout.ShardKey(BspModel.Name, "w", 0), Activation = 1, RestoredVersion = 1, LastAcknowledged = 5 },
                new() { Shard = null!, Activation = 1, RestoredVersion = 1, LastAcknowledged = 5 },
            ];
            return t.Model(AsyncModel.Name).ReportRegression(r.Next(6) == 0 ? null! : reports[r.Next(reports.Length)]);
        }),
        new("report a regression of a shard the model does not have", ErrorCode.UnknownShard, 1, (t, r) =>
        {
            string[] keys = ["chaos-async/sgd/3", "chaos-async/adamw/99", "garbage", "chaos-async/sgd/-4"];
            return t.Model(AsyncModel.Name).ReportRegression(new VersionRegression { Shard = keys[r.Next(keys.Length)], Activation = 1, RestoredVersion = 1, LastAcknowledged = 9 });
        }),
        new("add an invalid name to the model directory", ErrorCode.InvalidSpec, 1, (t, r) =>
        {
            string?[] names = [null, "", "a b", "../x", new string('m', Names.MaxLength + 1)];
            return t.Grains.GetGrain<IModelDirectoryGrain>(0).Add(names[r.Next(names.Length)]!);
        }),
        new("add a model that does not exist to the model directory", ErrorCode.UnknownModel, 1, (t, r) =>
            t.Grains.GetGrain<IModelDirectoryGrain>(0).Add(t.GhostModel(r))),
        .. BadFrames.All,
    ];

    // Every call a shard serves; on a shard that does not exist each must name what is unknown.
    private static Task AnyShardCall(IShardGrain shard, Random r) => r.Next(8) switch
    {
        0 => shard.Push(new PushRequest { RowCount = 1, Payload = FinitePayload(r, 3, TensorEncoding.Fp32) }),
        1 => shard.Pull(new PullRequest { RowCount = 1 }),
        2 => shard.GetInfo(),
        3 => shard.GetStats(),
        4 => shard.ApplyClock(1),
        5 => shard.CommitPush(new PushCommit { Token = Token(r), RowCount = 1 }),
        6 => shard.GetDataEndpoint(),
        _ => shard.Checkpoint(),
    };
}
