using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ParameterServer.WorkerHost.Launch;

/// <summary>Waits, bounded, until a silo accepts connections on its gateway port: the moment clients can join.</summary>
internal static class SiloReadiness
{
    private static readonly TimeSpan _poll = TimeSpan.FromMilliseconds(200);

    /// <summary>Returns once <paramref name="port"/> accepts a connection; throws <see cref="ChildFailedException"/> if the silo exits or <paramref name="timeout"/> passes first.</summary>
    public static async Task WaitAsync(ChildProcess silo, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (silo.Process.HasExited)
                throw new ChildFailedException(silo, $"exited with code {silo.Process.ExitCode} before it was ready");
            if (clock.Elapsed > timeout)
                throw new ChildFailedException(silo, $"did not accept connections on port {port} within {timeout.TotalSeconds:0} s");
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(_poll);
            try
            {
                await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), attempt.Token);
                return;
            }
            catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                await Task.Delay(_poll, cancellationToken);
            }
        }
    }
}
