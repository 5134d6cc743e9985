using System.Net;
using System.Net.Sockets;

namespace ParameterServer.WorkerHost.Launch;

/// <summary>
/// The command line of the run's silo, <c>paramserver silo --silo-port P --gateway-port G --data-port -1 --data-dir DIR</c>:
/// localhost clustering on the two ports, the data plane on any free port (the workers learn it from the shards),
/// checkpoints under DIR. The contract between this launcher and the paramserver host.
/// </summary>
internal sealed record SiloArguments(int SiloPort, int GatewayPort, string DataDirectory)
{
    /// <summary>Arguments on two ports that are free on the loopback interface now, checkpoints under <paramref name="dataDirectory"/>.</summary>
    public static SiloArguments OnFreePorts(string dataDirectory)
    {
        // Both listeners stay open until both ports are known, so the two differ.
        using var silo = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var gateway = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silo.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        gateway.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return new SiloArguments(((IPEndPoint)silo.LocalEndPoint!).Port, ((IPEndPoint)gateway.LocalEndPoint!).Port, dataDirectory);
    }

    public IReadOnlyList<string> ToArgs() =>
        ["silo", "--silo-port", SiloPort.ToString(), "--gateway-port", GatewayPort.ToString(), "--data-port", "-1", "--data-dir", DataDirectory];
}
