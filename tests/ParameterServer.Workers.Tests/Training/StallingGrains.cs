using ParameterServer.Contracts;

namespace ParameterServer.Workers.Tests.Training;

/// <summary>
/// One worker's way to the cluster, which the test can stall: while stalled, the worker's calls to its job (join,
/// heartbeat, clock report, leave) are held, and they go on once it resumes, which is how a worker paused by a long
/// garbage collection or a stalled machine looks to the job. Every other call passes straight through.
/// Example: <c>var grains = new StallingGrains(cluster.Client); var model = await new ParameterServerClient(grains).OpenModelAsync(name); grains.Stall();</c>
/// </summary>
internal sealed class StallingGrains(IGrainFactory cluster) : IGrainFactory
{
    private TaskCompletionSource? _stall;

    /// <summary>From now on the job's calls wait until <see cref="Resume"/>.</summary>
    public void Stall() => Interlocked.CompareExchange(ref _stall, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);

    public void Resume() => Interlocked.Exchange(ref _stall, null)?.SetResult();

    private Task Held => Volatile.Read(ref _stall)?.Task ?? Task.CompletedTask;

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithStringKey
    {
        var grain = cluster.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);
        return grain is IModelGrain job ? (TGrainInterface)(IModelGrain)new StallingJob(job, this) : grain;
    }

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidKey =>
        cluster.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerKey =>
        cluster.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidCompoundKey => cluster.GetGrain<TGrainInterface>(primaryKey, keyExtension, grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerCompoundKey => cluster.GetGrain<TGrainInterface>(primaryKey, keyExtension, grainClassNamePrefix);

    public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver =>
        cluster.CreateObjectReference<TGrainObserverInterface>(obj);

    public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver =>
        cluster.DeleteObjectReference<TGrainObserverInterface>(obj);

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => cluster.GetGrain(grainInterfaceType, grainPrimaryKey);

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => cluster.GetGrain(grainInterfaceType, grainPrimaryKey);

    public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => cluster.GetGrain(grainInterfaceType, grainPrimaryKey);

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => cluster.GetGrain(grainInterfaceType, grainPrimaryKey, keyExtension);

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => cluster.GetGrain(grainInterfaceType, grainPrimaryKey, keyExtension);

    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IAddressable => cluster.GetGrain<TGrainInterface>(grainId);

    public IAddressable GetGrain(GrainId grainId) => cluster.GetGrain(grainId);

    public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => cluster.GetGrain(grainId, interfaceType);

    public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainPrimaryKey, string grainClassNamePrefix) =>
        cluster.GetGrain(grainInterfaceType, grainPrimaryKey, grainClassNamePrefix);

    public IAddressable GetGrain(Type grainInterfaceType, IdSpan grainPrimaryKey) => cluster.GetGrain(grainInterfaceType, grainPrimaryKey);

    /// <summary>The job as the stalling worker reaches it: its membership calls wait out a stall.</summary>
    private sealed class StallingJob(IModelGrain job, StallingGrains grains) : IModelGrain
    {
        public async Task<JoinReply> Join(string workerId)
        {
            await grains.Held;
            return await job.Join(workerId);
        }

        public async Task<WorkerAssignment> Heartbeat(string workerId)
        {
            await grains.Held;
            return await job.Heartbeat(workerId);
        }

        public async Task<WorkerAssignment> ReportClock(string workerId, long clock)
        {
            await grains.Held;
            return await job.ReportClock(workerId, clock);
        }

        public async Task Leave(string workerId)
        {
            await grains.Held;
            await job.Leave(workerId);
        }

        public Task Create(ModelSpec spec) => job.Create(spec);

        public Task<ModelSpec> GetSpec() => job.GetSpec();

        public Task<long> WaitForMinClock(long clock, TimeSpan timeout) => job.WaitForMinClock(clock, timeout);

        public Task<ModelStatus> GetStatus() => job.GetStatus();

        public Task<int> Checkpoint() => job.Checkpoint();

        public Task ReportRegression(VersionRegression regression) => job.ReportRegression(regression);
    }
}
