using ParameterServer.Contracts;

namespace ParameterServer.Grains.Shards;

/// <summary>
/// The replies of a shard's last <see cref="Capacity"/> commits by token. A client whose lane broke after a commit
/// went out cannot tell whether it was applied; it commits the token again, and the shard answers the first reply
/// instead of refusing an unknown token, which would make the client send the push again and apply it twice.
/// </summary>
public sealed class RecentCommits
{
    /// <summary>Enough for the commits of every lane while one broken lane's client asks again (within milliseconds, or
    /// its request timeout); a few KiB per shard.</summary>
    public const int Capacity = 256;

    private readonly Dictionary<Guid, PushReply> _replies = new(Capacity);
    private readonly Queue<Guid> _order = new(Capacity);

    public bool TryGet(Guid token, out PushReply? reply) => _replies.TryGetValue(token, out reply);

    public void Add(Guid token, PushReply reply)
    {
        if (_order.Count == Capacity)
            _replies.Remove(_order.Dequeue());
        _replies.Add(token, reply);
        _order.Enqueue(token);
    }
}
