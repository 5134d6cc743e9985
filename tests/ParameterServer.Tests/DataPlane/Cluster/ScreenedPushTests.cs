using ParameterServer.Contracts;
using ParameterServer.Tests.Cluster;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.DataPlane.Cluster;

/// <summary>
/// A whole 1 MiB shard pushed on a lane arrives in pieces, each screened for NaN and Inf by the data port as it
/// arrives: a non-finite value in any piece, the very last value included, gets the push refused with every value
/// unchanged; a finite push is applied to every value.
/// </summary>
[Collection(LaneClusterCollection.Name)]
public sealed class ScreenedPushTests(LaneClusterFixture fixture)
{
    private const int Rows = 256, Cols = 1024, Values = Rows * Cols;
    private const float Initial = 0.25f;

    [Theory]
    [InlineData(Values - 1, float.NaN)]
    [InlineData(Values / 2, float.PositiveInfinity)]
    [InlineData(0, float.NegativeInfinity)]
    public async Task A_non_finite_value_anywhere_in_a_shard_pushed_on_a_lane_is_refused_and_leaves_every_value_unchanged(int at, float bad)
    {
        var model = await fixture.Client.CreateModelAsync(Model("screen-refused"));
        var gradient = new float[Values];
        Array.Fill(gradient, 1f);
        gradient[at] = bad;
        var before = fixture.Totals();

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => model.PushAsync("w", gradient));

        Assert.Equal(ErrorCode.NonFinite, error.Code);
        // The bytes crossed the lane (4 bytes a value) and were refused at the commit.
        Assert.Equal(new LaneTotals(Pushes: 1, PushBytes: 4L * Values, Pulls: 0, PullBytes: 0), fixture.Totals() - before);
        var values = new float[Values];
        await model.PullAsync("w", values);
        Assert.Equal(-1, Array.FindIndex(values, v => v != Initial));
        var shard = (await model.GetTableStatusAsync("w")).Shards.Single().Info;
        Assert.Equal((0L, 0L), (shard.Version, shard.UpdateCount));
    }

    [Fact]
    public async Task A_finite_shard_pushed_on_a_lane_is_applied_to_every_value()
    {
        var model = await fixture.Client.CreateModelAsync(Model("screen-passed"));
        // g_i = (i mod 3) - 1; w = 0.25 - 0.5 g: 0.75 for g = -1, 0.25 for g = 0, -0.25 for g = 1.
        var gradient = new float[Values];
        for (var i = 0; i < Values; i++)
            gradient[i] = i % 3 - 1;
        float[] expected = [0.75f, 0.25f, -0.25f];

        await model.PushAsync("w", gradient);

        var values = new float[Values];
        await model.PullAsync("w", values);
        // The index of the first wrong value, if any.
        Assert.Equal(-1, Enumerable.Range(0, Values).FirstOrDefault(i => values[i] != expected[i % 3], -1));
    }

    private static ModelSpec Model(string prefix) => new()
    {
        Name = Tables.UniqueName(prefix),
        Consistency = ConsistencySpec.Async,
        Tables = [new TableSpec { Name = "w", Rows = Rows, Cols = Cols, ShardRows = Rows, Initializer = InitializerSpec.Constant(Initial), Optimizer = OptimizerSpec.Sgd(0.5f) }],
    };
}
