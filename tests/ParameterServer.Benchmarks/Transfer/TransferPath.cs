namespace ParameterServer.Benchmarks.Transfer;

/// <summary>
/// One way of moving 4 MiB shards between this process and another: a push or a pull by in-flight worker
/// <c>w</c> of <c>n</c>, each moving one shard, and the process at the other end (whose CPU is charged too).
/// </summary>
internal sealed record TransferPath(string Name, int ServerPid, Func<int, int, Task> Push, Func<int, int, Task> Pull);
