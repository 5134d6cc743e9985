using Microsoft.Extensions.Options;

namespace ParameterServer.Grains.Hosting;

/// <summary>
/// What one model may ask of the silos, so that a valid but hostile or mistaken request cannot exhaust them: the memory
/// of its values and optimizer slots, checked when it is created, and how long a silo holds one wait for a clock.
/// Example: <c>silo.AddModelLimits(o => o.MaxModelBytes = 8L &lt;&lt; 30)</c>.
/// </summary>
public sealed class ModelLimitsOptions
{
    public static readonly TimeSpan DefaultMaxClockWait = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Most bytes a model's values and optimizer slots may take (4 bytes per value, times 1 + the optimizer's slots:
    /// SGD 0, momentum and Adagrad 1, Adam and AdamW 2). Null: a quarter of the memory available to the silo process
    /// (the machine's, or its container's limit), which leaves room for the shards' checkpoint snapshots and BSP sums.
    /// </summary>
    public long? MaxModelBytes { get; set; }

    /// <summary>
    /// Longest a silo holds one call waiting for a clock, an infinite wait included: the call then returns the minimum
    /// clock reached, as on its own timeout, and the caller asks again. Keeps waiters bounded in time, and below the
    /// clients' response timeout (Orleans' default 30 s), so a wait is answered before its caller gives up on it.
    /// </summary>
    public TimeSpan MaxClockWait { get; set; } = DefaultMaxClockWait;

    /// <summary><see cref="MaxModelBytes"/>, or its default on this silo.</summary>
    public long ModelBytesLimit => MaxModelBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4;
}

/// <summary>Refuses limits that would refuse every model or every wait.</summary>
public sealed class ModelLimitsOptionsValidator : IValidateOptions<ModelLimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelLimitsOptions options)
    {
        var errors = new List<string>();
        if (options.MaxModelBytes is <= 0)
            errors.Add($"{nameof(ModelLimitsOptions.MaxModelBytes)} must be positive (or unset: a quarter of the silo's memory), not {options.MaxModelBytes}");
        if (options.MaxClockWait <= TimeSpan.Zero || options.MaxClockWait.TotalMilliseconds > int.MaxValue)
            errors.Add($"{nameof(ModelLimitsOptions.MaxClockWait)} must be positive and at most {int.MaxValue} ms, not {options.MaxClockWait}");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
