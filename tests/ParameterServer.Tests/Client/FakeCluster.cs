using ParameterServer.Contracts;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Client;

/// <summary>
/// A grain factory over in-memory stand-ins for one model's grains, so the client's slicing, validation and version
/// cache are tested without a cluster. Each fake shard records the requests it received; its values are set by the
/// test, and a push only bumps the version (the update math is the grains' tests' business).
/// </summary>
internal sealed class FakeCluster : IGrainFactory
{
    private readonly Dictionary<string, FakeShard> _shards = new();
    private int _inFlight;
    private int _maxInFlight;

    public FakeCluster(ModelSpec spec)
    {
        Model = new FakeModel(spec);
        foreach (var table in spec.Tables)
        {
            var layout = new TableLayout(table);
            for (var s = 0; s < layout.ShardCount; s++)
                _shards.Add(TableLayout.ShardKey(spec.Name, table.Name, s), new FakeShard(this, layout.ShardRange(s).RowCount, table.Cols));
        }
    }

    public FakeModel Model { get; }

    public FakeShard Shard(string table, int shard) => _shards[TableLayout.ShardKey(Model.Spec.Name, table, shard)];

    public int RequestCount => _shards.Values.Sum(s => s.Pushes.Count + s.Pulls.Count);

    /// <summary>How long each shard call takes, so that calls overlap and <see cref="MaxInFlight"/> means something.</summary>
    public TimeSpan CallDelay { get; set; }

    /// <summary>The most shard calls that were in progress at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    internal async Task<T> Call<T>(Func<T> call)
    {
        var now = Interlocked.Increment(ref _inFlight);
        int max;
        while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max) { }
        try
        {
            if (CallDelay > TimeSpan.Zero)
                await Task.Delay(CallDelay);
            return call();
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithStringKey
    {
        if (typeof(TGrainInterface) == typeof(IModelGrain) && primaryKey == Model.Spec.Name)
            return (TGrainInterface)(object)Model;
        if (typeof(TGrainInterface) == typeof(IShardGrain) && _shards.TryGetValue(primaryKey, out var shard))
            return (TGrainInterface)(object)shard;
        throw new ParameterServerException(ErrorCode.UnknownModel, $"no fake grain '{primaryKey}'");
    }

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidKey => throw new NotSupportedException();
    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerKey => throw new NotSupportedException();
    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidCompoundKey => throw new NotSupportedException();
    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerCompoundKey => throw new NotSupportedException();
    public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver => throw new NotSupportedException();
    public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver => throw new NotSupportedException();
    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => throw new NotSupportedException();
    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => throw new NotSupportedException();
    public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => throw new NotSupportedException();
    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => throw new NotSupportedException();
    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => throw new NotSupportedException();
    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IAddressable => throw new NotSupportedException();
    public IAddressable GetGrain(GrainId grainId) => throw new NotSupportedException();
    public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => throw new NotSupportedException();
    public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainPrimaryKey, string grainClassNamePrefix) => throw new NotSupportedException();
    public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainPrimaryKey) => throw new NotSupportedException();
}

internal sealed class FakeModel(ModelSpec spec) : IModelGrain
{
    public ModelSpec Spec { get; } = spec;

    public Task Create(ModelSpec spec) => Task.CompletedTask;
    public Task<ModelSpec> GetSpec() => Task.FromResult(Spec);
    public Task<JoinReply> Join(string workerId) => throw new NotSupportedException();
    public Task<WorkerAssignment> Heartbeat(string workerId) => throw new NotSupportedException();
    public Task Leave(string workerId) => throw new NotSupportedException();
    public Task<WorkerAssignment> ReportClock(string workerId, long clock) => throw new NotSupportedException();
    public Task<long> WaitForMinClock(long clock, TimeSpan timeout) => throw new NotSupportedException();
    public Task<ModelStatus> GetStatus() => throw new NotSupportedException();
    public Task<int> Checkpoint() => throw new NotSupportedException();
    public List<VersionRegression> Regressions { get; } = [];

    public Task ReportRegression(VersionRegression regression)
    {
        lock (Regressions) Regressions.Add(regression);
        return Task.CompletedTask;
    }
}

internal sealed class FakeShard(FakeCluster cluster, int rows, int cols) : IShardGrain
{
    private readonly object _lock = new();

    /// <summary>The shard's rows x cols values (row-major), served by Pull in fp32.</summary>
    public float[] Values { get; } = new float[rows * cols];

    public long Version { get; set; }

    /// <summary>The activation a push's reply names; a restore starts a later one.</summary>
    public long Activation { get; set; } = 1;

    public long RestoredVersion { get; set; }

    public List<PushRequest> Pushes { get; } = [];

    /// <summary>What a silo loss does to a shard: a new activation, back at its checkpoint.</summary>
    public void Restore(long checkpointedVersion)
    {
        lock (_lock)
        {
            Activation++;
            Version = RestoredVersion = checkpointedVersion;
        }
    }

    public List<PullRequest> Pulls { get; } = [];

    public Task<PushReply> Push(PushRequest request) => cluster.Call(() =>
    {
        lock (_lock)
        {
            Pushes.Add(request);
            return new PushReply { Version = ++Version, Applied = true, Activation = Activation, RestoredVersion = RestoredVersion };
        }
    });

    public Task<PullReply?> Pull(PullRequest request) => cluster.Call<PullReply?>(() =>
    {
        lock (_lock)
        {
            Pulls.Add(request);
            if (request.KnownVersion == Version)
                return null;
            var rowsOut = Values.AsSpan(request.RowOffset * cols, request.RowCount * cols);
            return new PullReply { Version = Version, Payload = PayloadCodec.Encode(rowsOut, request.Encoding) };
        }
    });

    public Task Initialize(ShardSetup setup) => throw new NotSupportedException();
    public Task<PushReply> CommitPush(PushCommit commit) => throw new NotSupportedException();
    public Task<DataEndpoint?> GetDataEndpoint() => throw new NotSupportedException();
    public Task<long> ApplyClock(long clock) => throw new NotSupportedException();
    public Task<ShardInfo> GetInfo() => throw new NotSupportedException();
    public Task<ShardStats> GetStats() => throw new NotSupportedException();
    public Task<long> Checkpoint() => throw new NotSupportedException();
}
