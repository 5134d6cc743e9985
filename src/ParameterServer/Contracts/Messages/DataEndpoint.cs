namespace ParameterServer.Contracts;

/// <summary>A silo's data port as clients reach it: a host name or IP address, and a TCP port.</summary>
[GenerateSerializer, Immutable]
public sealed record DataEndpoint([property: Id(0)] string Host, [property: Id(1)] int Port);
