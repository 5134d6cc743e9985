namespace ParameterServer.Contracts;

/// <summary>A request the parameter server refused, with the reason as an <see cref="ErrorCode"/>.</summary>
[GenerateSerializer]
public sealed class ParameterServerException : Exception
{
    public ParameterServerException(ErrorCode code, string message) : base(message) => Code = code;

    public ParameterServerException(ErrorCode code, string message, Exception inner) : base(message, inner) => Code = code;

    [Id(0)] public ErrorCode Code { get; }
}
