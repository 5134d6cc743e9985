namespace ParameterServer.Grains.Shards;

/// <summary>What a shard knows of a push's identity.</summary>
public enum PushLookup
{
    /// <summary>Not taken before: apply it.</summary>
    New,
    /// <summary>Taken before: answer it as then, apply nothing.</summary>
    Repeated,
    /// <summary>Below the window: whether it was taken cannot be told.</summary>
    TooOld,
}
