using ParameterServer.Contracts;

namespace ParameterServer.Tests.DataPlane.Cluster;

/// <summary>
/// A silo's outgoing call filter on the <see cref="IShardGrain.CommitPush"/> calls the silo's data port makes: runs a
/// test's action between a push's arrival on a lane and its commit, or loses the answer of a commit that completed at
/// the shard (the data port sees a <see cref="TimeoutException"/>, as when the reply is dropped); each once.
/// </summary>
public sealed class CommitInterceptor : IOutgoingGrainCallFilter
{
    private Func<Task>? _beforeNextCommit;
    private int _loseNextAnswer;

    public void BeforeNextCommit(Func<Task> action) => _beforeNextCommit = action;

    public void LoseNextAnswer() => Volatile.Write(ref _loseNextAnswer, 1);

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod.Name != nameof(IShardGrain.CommitPush))
        {
            await context.Invoke();
            return;
        }
        if (Interlocked.Exchange(ref _beforeNextCommit, null) is { } action)
            await action();
        await context.Invoke();
        if (Interlocked.Exchange(ref _loseNextAnswer, 0) == 1)
            throw new TimeoutException("the commit's answer was lost (test)");
    }
}
