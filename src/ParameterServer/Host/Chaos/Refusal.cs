using ParameterServer.Contracts;
using ParameterServer.DataPlane;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Host.Chaos;

/// <summary>
/// The answer a bad request must get: a grain call refused with an <see cref="ErrorCode"/>, or a frame on a data port
/// answered with a <see cref="LaneError"/> (a lane that stalled: closed by the silo, <see cref="LaneError.Disconnected"/>).
/// </summary>
internal readonly record struct Refusal(ErrorCode? Code, LaneError? Lane)
{
    public static implicit operator Refusal(ErrorCode code) => new(code, null);

    public static implicit operator Refusal(LaneError lane) => new(null, lane);

    /// <summary>The refusal an exception carries, or null for any other failure.</summary>
    public static Refusal? Of(Exception e) => e switch
    {
        ParameterServerException p => p.Code,
        LaneException l => l.Code,
        _ => null,
    };

    public override string ToString() => Code is { } code ? code.ToString() : $"lane {Lane}";
}
