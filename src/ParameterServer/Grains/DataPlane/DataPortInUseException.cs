namespace ParameterServer.Grains.DataPlane;

/// <summary>The silo could not open its data port because another process holds it.</summary>
public sealed class DataPortInUseException(int port, Exception inner) : Exception($"data port {port} is in use", inner)
{
    public int Port { get; } = port;
}
