using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ParameterServer.Contracts;
using ParameterServer.DataPlane;
using ParameterServer.Grains.Hosting;
using ParameterServer.Grains.Shards;
using ParameterServer.Kernels.Stats;

namespace ParameterServer.Grains.DataPlane;

/// <summary>
/// The silo's data port: a <see cref="LaneServer"/> beside Orleans that stages pushes for the shards to commit by
/// token, commits the pushes whose commits follow them on the lanes, and answers pulls with snapshots of the shards
/// active on this silo. A shard registers itself while it is active; a pull for any other shard is refused as
/// <see cref="LaneError.UnknownShard"/>, which sends the client to resolve it again. The port opens before the silo
/// becomes active and closes after its shards have deactivated.
/// </summary>
public sealed class DataPort : ILifecycleParticipant<ISiloLifecycle>, ISnapshotSource, IPushCommitter
{
    // The active shards, and a grain reference to each: the commits made on clients' behalf go through it.
    private readonly ConcurrentDictionary<string, (ShardGrain Grain, IShardGrain Reference)> _shards = new(StringComparer.Ordinal);
    private readonly DataPortOptions _options;
    private readonly ILocalSiloDetails _silo;
    private readonly IGrainFactory _grains;
    private readonly ILogger _logger;

    public DataPort(IOptions<DataPortOptions> options, ILocalSiloDetails silo, IGrainFactory grains, ILoggerFactory loggers)
    {
        _options = options.Value;
        _silo = silo;
        _grains = grains;
        _logger = loggers.CreateLogger<DataPort>();
        Lanes = new LaneServer(_options.ToLaneServerOptions(), this, this, loggers);
    }

    /// <summary>The lane server: its staging area, where shards take committed pushes, and its counters.</summary>
    public LaneServer Lanes { get; }

    /// <summary>Where clients reach the data port; null while it is closed, and always when it is off.</summary>
    public DataEndpoint? Endpoint { get; private set; }

    /// <summary>Whether <paramref name="shardKey"/> is active on this silo.</summary>
    public bool Hosts(string shardKey) => _shards.ContainsKey(shardKey);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DataPort), ServiceLifecycleStage.ApplicationServices, Open, Close);

    /// <summary>
    /// The shard's bytes at one version, or a refusal. The snapshot is taken in a turn of the shard's own, so no update
    /// tears it; fp32 values are lent without a copy, 16-bit encodings are encoded into a buffer of the staging pool, so
    /// they count against the same memory cap as staged pushes.
    /// </summary>
    public ValueTask<ShardSnapshot> GetSnapshotAsync(string shardKey, long knownVersion, byte encoding, CancellationToken ct)
    {
        if (!Enum.IsDefined((TensorEncoding)encoding))
            return ValueTask.FromResult(ShardSnapshot.Refuse(LaneError.Refused, $"unknown tensor encoding {encoding}"));
        if (!_shards.TryGetValue(shardKey, out var hosted))
            return ValueTask.FromResult(ShardSnapshot.Refuse(LaneError.UnknownShard, $"shard {shardKey} is not active on this silo"));
        return new ValueTask<ShardSnapshot>(SnapshotRequest.QueueAsync(hosted.Grain, knownVersion, (TensorEncoding)encoding, Lanes.Staging.Pool, ct));
    }

    /// <summary>
    /// Checks fp32 gradients for NaN and Inf while their bytes arrive, each piece still in the processor's cache: the
    /// shard then skips its own pass over them (<see cref="StagedPush.Screened"/>). A piece with a non-finite value, or
    /// a push in a 16-bit encoding (checked once decoded), stops the screen; the shard checks such pushes itself.
    /// </summary>
    public int Screen(byte encoding, ReadOnlySpan<byte> bytes)
    {
        if (encoding != (byte)TensorEncoding.Fp32)
            return -1;
        var whole = bytes[..(bytes.Length & ~(sizeof(float) - 1))];
        return TensorStats.AllFinite(MemoryMarshal.Cast<byte, float>(whole)) ? whole.Length : -1;
    }

    /// <summary>
    /// Commits a push on the client's behalf with the same grain call the client would make,
    /// <see cref="IShardGrain.CommitPush"/>: a round trip less per push, and Orleans still routes the call, so a shard
    /// that moved since its bytes arrived answers <see cref="Contracts.ErrorCode.UnknownToken"/> and the client sends them again.
    /// The shard's reply or refusal is the answer (<see cref="PushCommitCodec"/>); any other failure leaves the outcome
    /// unknown and is thrown, for the lane to answer <see cref="LaneError.CommitFailed"/>.
    /// </summary>
    public async ValueTask<int> CommitAsync(Guid token, string shardKey, byte encoding, ReadOnlyMemory<byte> commit, Memory<byte> answer, CancellationToken ct)
    {
        try
        {
            var request = PushCommitCodec.ReadCommit(commit.Span, token, (TensorEncoding)encoding);
            // A shard that left this silo since its bytes arrived is reached wherever it is now.
            var shard = _shards.TryGetValue(shardKey, out var hosted) ? hosted.Reference : _grains.GetGrain<IShardGrain>(shardKey);
            var reply = await shard.CommitPush(request).WaitAsync(ct);
            return PushCommitCodec.WriteReply(reply, answer.Span);
        }
        catch (ParameterServerException e)
        {
            return PushCommitCodec.WriteRefusal(e.Code, e.Message, answer.Span);
        }
    }

    internal void Register(string shardKey, ShardGrain shard, IShardGrain reference) => _shards[shardKey] = (shard, reference);

    /// <summary>Forgets the shard unless another activation has registered under its key since.</summary>
    internal void Unregister(string shardKey, ShardGrain shard)
    {
        if (_shards.TryGetValue(shardKey, out var hosted) && hosted.Grain == shard)
            _shards.TryRemove(new KeyValuePair<string, (ShardGrain, IShardGrain)>(shardKey, hosted));
    }

    private Task Open(CancellationToken ct)
    {
        try
        {
            Lanes.Start();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new DataPortInUseException(_options.Port, e);
        }
        if (Lanes.Endpoint is { } bound)
        {
            Endpoint = new DataEndpoint(
                _options.AdvertisedHost ?? _silo.SiloAddress.Endpoint.Address.ToString(), _options.AdvertisedPort != 0 ? _options.AdvertisedPort : bound.Port);
            _logger.LogInformation("Data port {Port} open; clients reach it at {Host}:{Advertised}", bound.Port, Endpoint.Host, Endpoint.Port);
        }
        return Task.CompletedTask;
    }

    private async Task Close(CancellationToken ct)
    {
        var endpoint = Endpoint;
        Endpoint = null;
        await Lanes.DisposeAsync();
        if (endpoint is not null)
            _logger.LogInformation("Data port {Port} closed: {Lanes} lanes, {Counters}", endpoint.Port, Lanes.LanesAccepted, Lanes.Counters);
    }
}
