using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ParameterServer.Grains.DataPlane;

namespace ParameterServer.Grains.Hosting;

/// <summary>Silo configuration of the parameter server.</summary>
public static class ParameterServerSiloExtensions
{
    /// <summary>
    /// Adds the shard and model grains with their checkpoint policy and model limits (validated at start; see
    /// <see cref="AddModelLimits"/>), and the silo's data port, off unless <see cref="AddDataPlane"/> opens it. A checkpoint storage named <see cref="StorageNames.Checkpoints"/>
    /// must be added too.
    /// Example: <c>silo.AddParameterServerGrains(p => p.EveryUpdates = 1000).AddLocalCheckpointStorage("data")</c>.
    /// </summary>
    public static ISiloBuilder AddParameterServerGrains(this ISiloBuilder builder, Action<CheckpointPolicyOptions>? configure = null)
    {
        var options = builder.Services.AddOptions<CheckpointPolicyOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CheckpointPolicyOptions>, CheckpointPolicyOptionsValidator>());

        builder.Services.AddOptions<ModelLimitsOptions>().ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelLimitsOptions>, ModelLimitsOptionsValidator>());

        builder.Services.AddOptions<DataPortOptions>().ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DataPortOptions>, DataPortOptionsValidator>());
        builder.Services.AddSingleton<DataPort>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => services.GetRequiredService<DataPort>());
        return builder;
    }

    /// <summary>
    /// Opens the silo's data port, on <see cref="DataPortOptions.DefaultPort"/> unless <paramref name="configure"/>
    /// says otherwise: clients then send and receive tensor bytes on lanes to it, and commit pushes in small grain
    /// calls. Before or after <see cref="AddParameterServerGrains"/>.
    /// Example: <c>silo.AddParameterServerGrains().AddDataPlane(o => (o.Port, o.AdvertisedHost) = (11300, "silo-0.paramserver"))</c>.
    /// </summary>
    public static ISiloBuilder AddDataPlane(this ISiloBuilder builder, Action<DataPortOptions>? configure = null)
    {
        builder.Services.Configure<DataPortOptions>(options =>
        {
            options.Port = DataPortOptions.DefaultPort;
            configure?.Invoke(options);
        });
        return builder;
    }

    /// <summary>
    /// Sets what one model may ask of the silos (<see cref="ModelLimitsOptions"/>): its size, how long a clock wait is
    /// held. Before or after <see cref="AddParameterServerGrains"/>.
    /// Example: <c>silo.AddParameterServerGrains().AddModelLimits(o => o.MaxModelBytes = 8L &lt;&lt; 30)</c>.
    /// </summary>
    public static ISiloBuilder AddModelLimits(this ISiloBuilder builder, Action<ModelLimitsOptions> configure)
    {
        builder.Services.Configure(configure);
        return builder;
    }
}
