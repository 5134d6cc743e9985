using ParameterServer.Contracts;

namespace ParameterServer.Tests.DataPlane.Cluster;

/// <summary>
/// A silo's outgoing call filter that runs a test's action between a push's arrival on a lane and its commit: before
/// the next <see cref="IShardGrain.CommitPush"/> the silo's data port makes, once.
/// </summary>
public sealed class CommitInterceptor : IOutgoingGrainCallFilter
{
    private Func<Task>? _beforeNextCommit;

    public void BeforeNextCommit(Func<Task> action) => _beforeNextCommit = action;

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod.Name == nameof(IShardGrain.CommitPush) && Interlocked.Exchange(ref _beforeNextCommit, null) is { } action)
            await action();
        await context.Invoke();
    }
}
