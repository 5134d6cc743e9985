namespace ParameterServer.DataPlane;

/// <summary>
/// What a pull received: <paramref name="Length"/> bytes at <paramref name="Version"/> in the caller's destination,
/// or, when <paramref name="Modified"/> is false, nothing because the caller's version is current.
/// </summary>
public readonly record struct PullResult(bool Modified, long Version, int Length);
