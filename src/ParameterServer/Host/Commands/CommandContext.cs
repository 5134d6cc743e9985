using Microsoft.Extensions.Configuration;
using ParameterServer.Client;
using ParameterServer.Host.Configuration;

namespace ParameterServer.Host.Commands;

/// <summary>What a command runs with: its options, the configuration, the output streams.</summary>
internal sealed record CommandContext(ParsedOptions Options, IConfiguration Configuration, TextWriter Out, TextWriter Error, CancellationToken Cancellation)
{
    public Task<ParameterServerClient> ConnectAsync() =>
        ParameterServerClient.ConnectAsync(ClusterSettings.From(Configuration).ToConnectionOptions(DataPlaneSettings.From(Configuration)), Cancellation);
}
