namespace ParameterServer.DataPlane;

/// <summary>A lane request that failed, with the reason as a <see cref="LaneError"/>.</summary>
public sealed class LaneException : Exception
{
    public LaneException(LaneError code, string message) : base(message) => Code = code;

    public LaneException(LaneError code, string message, Exception inner) : base(message, inner) => Code = code;

    public LaneError Code { get; }

    /// <summary>The push's token when <see cref="Code"/> is <see cref="LaneError.Unconfirmed"/>; otherwise empty.</summary>
    public Guid Token { get; init; }
}
