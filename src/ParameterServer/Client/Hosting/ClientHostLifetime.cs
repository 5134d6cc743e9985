using Microsoft.Extensions.Hosting;

namespace ParameterServer.Client.Hosting;

/// <summary>
/// The client's host lives as long as the <see cref="ParameterServerClient"/>. The default console lifetime would take
/// over Ctrl-C and SIGTERM from the program that uses the client.
/// </summary>
internal sealed class ClientHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
