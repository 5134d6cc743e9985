namespace ParameterServer.Benchmarks.Report;

/// <summary>
/// One measured figure: our value, the reference measured in the same run (a limit such as a memory-bandwidth probe,
/// or a peer such as OpenBLAS or PyTorch), their ratio and the goal it is judged by. A figure that could not be
/// measured has no value and says why in <see cref="Note"/>; it neither passes nor fails.
/// </summary>
/// <param name="Id">Stable key for the JSON and for figures that feed others (the scaling model), e.g. "updates.adamw.cold".</param>
/// <param name="Section">The group it is printed under, one of <see cref="Sections"/>.</param>
/// <param name="Name">What was measured, with its shape: "push 1x256 p99, 8 in flight".</param>
/// <param name="Unit">The unit of <paramref name="Ours"/> and <paramref name="Reference"/>.</param>
/// <param name="Ours">Our value; null when not measured.</param>
/// <param name="Reference">The reference's value in the same unit, measured in the same run; null when there is none.</param>
/// <param name="ReferenceName">What the reference is: "OpenBLAS", "raw socket".</param>
/// <param name="Goal">The bound it must meet, if the issues set one.</param>
/// <param name="Note">Anything a reader needs beside the numbers (for a figure not measured: why).</param>
public sealed record Figure(
    string Id,
    string Section,
    string Name,
    string Unit,
    double? Ours,
    double? Reference = null,
    string? ReferenceName = null,
    Goal? Goal = null,
    string? Note = null)
{
    /// <summary>Ours over the reference; null without both.</summary>
    public double? Ratio => Ours is { } ours && Reference is { } reference && reference != 0 ? ours / reference : null;

    /// <summary>Null when there is no goal or nothing to judge; otherwise whether the goal is met.</summary>
    public bool? Passed => Goal is null ? null : (Goal.OnValue ? Ours : Ratio) is { } judged ? Goal.IsMetBy(judged) : null;

    public bool Measured => Ours is not null;

    public static Figure NotMeasured(string id, string section, string name, string reason) =>
        new(id, section, name, Unit: "", Ours: null, Note: $"not measured: {reason}");
}
