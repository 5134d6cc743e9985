using ParameterServer.Contracts;

namespace ParameterServer.Tests.Client;

/// <summary>
/// A grain factory over a real one whose shard references lose the answers of the next <see cref="LoseNext"/> pushes
/// (grain-call pushes and lane commits alike): the call reaches the shard and completes there, then the caller sees a
/// <see cref="TimeoutException"/>, as when the silo dies or the network drops the reply. Everything else goes through.
/// </summary>
internal sealed class LostAnswers(IGrainFactory grains) : IGrainFactory
{
    private int _toLose;
    private int _lost;

    /// <summary>How many of the next push answers to lose.</summary>
    public void LoseNext(int answers) => Volatile.Write(ref _toLose, answers);

    /// <summary>Push answers lost so far.</summary>
    public int Lost => Volatile.Read(ref _lost);

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithStringKey
    {
        var grain = grains.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);
        return grain is IShardGrain shard ? (TGrainInterface)(object)new Shard(shard, this) : grain;
    }

    private async Task<PushReply> Answer(Task<PushReply> push)
    {
        var reply = await push;
        if (Interlocked.Decrement(ref _toLose) < 0)
        {
            Interlocked.Increment(ref _toLose);
            return reply;
        }
        Interlocked.Increment(ref _lost);
        throw new TimeoutException("the push's answer was lost (test)");
    }

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidKey => grains.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);
    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerKey => grains.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);
    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidCompoundKey => grains.GetGrain<TGrainInterface>(primaryKey, keyExtension, grainClassNamePrefix);
    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerCompoundKey => grains.GetGrain<TGrainInterface>(primaryKey, keyExtension, grainClassNamePrefix);
    public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver => grains.CreateObjectReference<TGrainObserverInterface>(obj);
    public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver => grains.DeleteObjectReference<TGrainObserverInterface>(obj);
    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => grains.GetGrain(grainInterfaceType, grainPrimaryKey);
    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => grains.GetGrain(grainInterfaceType, grainPrimaryKey);
    public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => grains.GetGrain(grainInterfaceType, grainPrimaryKey);
    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => grains.GetGrain(grainInterfaceType, grainPrimaryKey, keyExtension);
    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => grains.GetGrain(grainInterfaceType, grainPrimaryKey, keyExtension);
    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IAddressable => grains.GetGrain<TGrainInterface>(grainId);
    public IAddressable GetGrain(GrainId grainId) => grains.GetGrain(grainId);
    public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => grains.GetGrain(grainId, interfaceType);
    public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainPrimaryKey, string grainClassNamePrefix) => grains.GetGrain(grainInterfaceType, grainPrimaryKey, grainClassNamePrefix);
    public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainPrimaryKey) => grains.GetGrain(grainInterfaceType, grainPrimaryKey);

    private sealed class Shard(IShardGrain shard, LostAnswers owner) : IShardGrain
    {
        public Task<PushReply> Push(PushRequest request) => owner.Answer(shard.Push(request));
        public Task<PushReply> CommitPush(PushCommit commit) => owner.Answer(shard.CommitPush(commit));
        public Task Initialize(ShardSetup setup) => shard.Initialize(setup);
        public Task<DataEndpoint?> GetDataEndpoint() => shard.GetDataEndpoint();
        public Task<PullReply?> Pull(PullRequest request) => shard.Pull(request);
        public Task<long> ApplyClock(long clock) => shard.ApplyClock(clock);
        public Task<ShardInfo> GetInfo() => shard.GetInfo();
        public Task<ShardStats> GetStats() => shard.GetStats();
        public Task<long> Checkpoint() => shard.Checkpoint();
    }
}
