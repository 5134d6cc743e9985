namespace ParameterServer.Client.Hosting;

/// <summary>Configures an Orleans client for the parameter server.</summary>
public static class ClientBuilderExtensions
{
    /// <summary>
    /// Refuses requests over <see cref="ParameterServer.Contracts.Limits.MaxMessageBytes"/> before they are sent
    /// (<see cref="ParameterServer.Contracts.ErrorCode.MessageTooLarge"/>). <see cref="ParameterServerClient.ConnectAsync"/>
    /// adds it; call it on clients built by hand (a TestCluster's, for example).
    /// </summary>
    /// <example><c>builder.UseOrleansClient(c => c.UseLocalhostClustering().AddMessageSizeLimit());</c></example>
    public static IClientBuilder AddMessageSizeLimit(this IClientBuilder builder) =>
        builder.AddOutgoingGrainCallFilter<MessageSizeFilter>();
}
