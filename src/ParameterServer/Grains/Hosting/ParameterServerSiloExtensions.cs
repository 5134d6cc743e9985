using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ParameterServer.Grains.Hosting;

/// <summary>Silo configuration of the parameter server.</summary>
public static class ParameterServerSiloExtensions
{
    /// <summary>
    /// Adds the shard and model grains with their checkpoint policy (validated at start). A checkpoint storage
    /// named <see cref="StorageNames.Checkpoints"/> must be added too.
    /// Example: <c>silo.AddParameterServerGrains(p => p.EveryUpdates = 1000).AddLocalCheckpointStorage("data")</c>.
    /// </summary>
    public static ISiloBuilder AddParameterServerGrains(this ISiloBuilder builder, Action<CheckpointPolicyOptions>? configure = null)
    {
        var options = builder.Services.AddOptions<CheckpointPolicyOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CheckpointPolicyOptions>, CheckpointPolicyOptionsValidator>());
        return builder;
    }
}
