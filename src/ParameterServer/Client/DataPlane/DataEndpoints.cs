using System.Collections.Concurrent;
using System.Net;
using ParameterServer.Contracts;

namespace ParameterServer.Client.DataPlane;

/// <summary>
/// Each shard's data endpoint as its grain last answered: asked once, then cached until a transfer shows that the
/// shard moved. A shard whose silo has no data port is cached as null (served in grain calls).
/// </summary>
internal sealed class DataEndpoints
{
    private readonly ConcurrentDictionary<string, EndPoint?> _byShard = new(StringComparer.Ordinal);

    public async ValueTask<EndPoint?> GetAsync(IShardGrain shard, string shardKey, bool refresh = false)
    {
        if (!refresh && _byShard.TryGetValue(shardKey, out var cached))
            return cached;
        var endpoint = await shard.GetDataEndpoint() is { } data ? ToEndPoint(data) : null;
        _byShard[shardKey] = endpoint;
        return endpoint;
    }

    private static EndPoint ToEndPoint(DataEndpoint data) =>
        IPAddress.TryParse(data.Host, out var address) ? new IPEndPoint(address, data.Port) : new DnsEndPoint(data.Host, data.Port);
}
