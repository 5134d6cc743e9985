namespace ParameterServer.DataPlane;

/// <summary>The answer of <see cref="StagingArea.TryTake"/>.</summary>
public enum TakeResult
{
    Taken,
    /// <summary>Never staged, already taken, or expired.</summary>
    UnknownToken,
    /// <summary>Staged for another shard; it stays staged for that one.</summary>
    WrongShard,
}
