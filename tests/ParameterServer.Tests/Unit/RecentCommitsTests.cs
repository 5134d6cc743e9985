using ParameterServer.Contracts;
using ParameterServer.Grains.Shards;
using Xunit;

namespace ParameterServer.Tests.Unit;

/// <summary>A shard's memory of its last commits: by token, the oldest forgotten first.</summary>
public sealed class RecentCommitsTests
{
    [Fact]
    public void A_commit_is_remembered_by_its_token_until_capacity_later_commits_push_it_out()
    {
        var commits = new RecentCommits();
        var tokens = Enumerable.Range(0, RecentCommits.Capacity + 1).Select(_ => Guid.NewGuid()).ToArray();
        commits.Add(tokens[0], new PushReply { Version = 1 });
        Assert.True(commits.TryGet(tokens[0], out var first));
        Assert.Equal(1, first!.Version);

        for (var i = 1; i < tokens.Length; i++)
            commits.Add(tokens[i], new PushReply { Version = i + 1 });

        Assert.False(commits.TryGet(tokens[0], out _));
        Assert.True(commits.TryGet(tokens[1], out var oldestKept));
        Assert.Equal(2, oldestKept!.Version);
        Assert.True(commits.TryGet(tokens[^1], out var last));
        Assert.Equal(RecentCommits.Capacity + 1, last!.Version);
        Assert.False(commits.TryGet(Guid.NewGuid(), out _));
    }
}
