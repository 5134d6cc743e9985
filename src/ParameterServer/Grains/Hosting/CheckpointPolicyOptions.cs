using Microsoft.Extensions.Options;

namespace ParameterServer.Grains.Hosting;

/// <summary>
/// When a shard writes its checkpoint in the background: after <see cref="EveryUpdates"/> updates or every
/// <see cref="Interval"/> when it has changed, whichever comes first; also on deactivation and on demand.
/// A silo loss costs at most the updates since the last checkpoint. After a failed write the next background
/// attempt waits <see cref="RetryDelay"/>, doubling with each further failure up to <see cref="MaxRetryDelay"/>;
/// pushes are served all the while.
/// </summary>
public sealed class CheckpointPolicyOptions
{
    public const int DefaultEveryUpdates = 500;
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultRetryDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultMaxRetryDelay = TimeSpan.FromSeconds(30);

    public int EveryUpdates { get; set; } = DefaultEveryUpdates;

    public TimeSpan Interval { get; set; } = DefaultInterval;

    public TimeSpan RetryDelay { get; set; } = DefaultRetryDelay;

    public TimeSpan MaxRetryDelay { get; set; } = DefaultMaxRetryDelay;
}

/// <summary>Refuses a policy that would never write or would write without pause.</summary>
public sealed class CheckpointPolicyOptionsValidator : IValidateOptions<CheckpointPolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, CheckpointPolicyOptions options)
    {
        var errors = new List<string>();
        if (options.EveryUpdates <= 0)
            errors.Add($"{nameof(CheckpointPolicyOptions.EveryUpdates)} must be positive, not {options.EveryUpdates}");
        if (options.Interval <= TimeSpan.Zero || options.Interval.TotalMilliseconds > int.MaxValue)
            errors.Add($"{nameof(CheckpointPolicyOptions.Interval)} must be positive and at most {int.MaxValue} ms, not {options.Interval}");
        if (options.RetryDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.RetryDelay)
            errors.Add($"{nameof(CheckpointPolicyOptions.RetryDelay)} must be positive and at most {nameof(CheckpointPolicyOptions.MaxRetryDelay)}, not {options.RetryDelay} and {options.MaxRetryDelay}");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
