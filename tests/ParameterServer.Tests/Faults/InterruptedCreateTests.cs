using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Core.Internal;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using ParameterServer.Contracts;
using ParameterServer.Grains.Hosting;
using ParameterServer.Grains.Storage;
using ParameterServer.Tests.Cluster;
using ParameterServer.Tests.Storage;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// A create that fails after the model has recorded its spec, with every shard's first checkpoint refused by the
/// store: the record survives the model grain, says the model is being created, refuses another spec, and creating
/// again with the same spec completes the model.
/// </summary>
public sealed class InterruptedCreateTests : IAsyncLifetime
{
    private static readonly TableSpec Table = new() { Name = "w", Rows = 6, Cols = 2, ShardRows = 4, Initializer = InitializerSpec.Constant(0.25f) };

    private readonly string _directory = Directory.CreateTempSubdirectory("ps-interrupted-").FullName;
    private ShardWritesFailing _store = null!;
    private SiloWithCheckpointStorage _silo = null!;

    public async Task InitializeAsync()
    {
        var local = new LocalDirectoryGrainStorage(StorageNames.Checkpoints, new LocalCheckpointStorageOptions { Directory = _directory },
            new CheckpointSerializer(), NullLogger<LocalDirectoryGrainStorage>.Instance);
        _store = new ShardWritesFailing(local);
        _silo = await SiloWithCheckpointStorage.StartAsync(silo =>
        {
            silo.AddParameterServerGrains();
            silo.Services.AddGrainStorage(StorageNames.Checkpoints, (_, _) => _store);
        });
    }

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_create_interrupted_after_its_record_refuses_another_spec_and_completes_with_its_own()
    {
        var spec = new ModelSpec { Name = Tables.UniqueName("interrupted"), Tables = [Table], Consistency = ConsistencySpec.Async };
        var model = _silo.Grains.GetGrain<IModelGrain>(spec.Name);
        var directory = _silo.Grains.GetGrain<IModelDirectoryGrain>(0);

        _store.Failing = true;
        var interrupted = await Assert.ThrowsAsync<ParameterServerException>(() => model.Create(spec));
        _store.Failing = false;
        // The model grain goes, as with its silo: only what it recorded is left.
        await model.Cast<IGrainManagementExtension>().DeactivateOnIdle();

        var unknown = await Assert.ThrowsAsync<ParameterServerException>(() => model.GetSpec());
        var other = await Assert.ThrowsAsync<ParameterServerException>(() => model.Create(spec with { Tables = [Table with { Name = "v" }] }));

        Assert.Equal(ErrorCode.Unavailable, interrupted.Code);
        Assert.Equal(ErrorCode.UnknownModel, unknown.Code);
        Assert.Contains("is being created, or its create was interrupted: create it again with the same spec", unknown.Message);
        Assert.Equal(ErrorCode.SpecMismatch, other.Code);
        Assert.Contains("create it again with that spec to complete it", other.Message);
        Assert.DoesNotContain(spec.Name, await directory.List());

        await model.Create(spec);

        Assert.True((await model.GetSpec()).SameAs(spec));
        Assert.All(await _silo.Grains.PullTable(spec.Name, Table), v => Assert.Equal(0.25f, v));
        Assert.Contains(spec.Name, await directory.List());
    }

    /// <summary>A store in front of a real one that refuses the shards' writes while <see cref="Failing"/>; the model's go through.</summary>
    private sealed class ShardWritesFailing(IGrainStorage store) : IGrainStorage
    {
        public volatile bool Failing;

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => store.ReadStateAsync(stateName, grainId, grainState);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            Failing && stateName == "shard" ? throw new IOException("shard checkpoints refused (test)") : store.WriteStateAsync(stateName, grainId, grainState);

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => store.ClearStateAsync(stateName, grainId, grainState);
    }
}
