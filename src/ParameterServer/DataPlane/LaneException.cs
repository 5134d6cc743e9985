namespace ParameterServer.DataPlane;

/// <summary>A lane request that failed, with the reason as a <see cref="LaneError"/>.</summary>
public sealed class LaneException : Exception
{
    public LaneException(LaneError code, string message) : base(message) => Code = code;

    public LaneException(LaneError code, string message, Exception inner) : base(message, inner) => Code = code;

    public LaneError Code { get; }
}
