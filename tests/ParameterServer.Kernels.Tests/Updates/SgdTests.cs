using ParameterServer.Kernels.Updates;

namespace ParameterServer.Kernels.Tests.Updates;

public class SgdTests
{
    private delegate void Rule(Span<float> w, ReadOnlySpan<float> g, float lr, float weightDecay);

    public static TheoryData<string> Paths => new() { nameof(Sgd.Apply), nameof(Sgd.Reference) };

    private static Rule Path(string name) => name == nameof(Sgd.Apply) ? Sgd.Apply : Sgd.Reference;

    [Theory]
    [MemberData(nameof(Paths))]
    public void Two_steps_match_the_rule_computed_by_hand(string path)
    {
        // w -= lr * g with lr = 0.1, g = [0.5, 0.25, -1] both steps:
        // step 1: 1 - 0.05 = 0.95;  -2 - 0.025 = -2.025;  0.5 + 0.1 = 0.6
        // step 2: 0.95 - 0.05 = 0.9; -2.025 - 0.025 = -2.05; 0.6 + 0.1 = 0.7
        var w = TestData.Tile([1f, -2f, 0.5f]);
        var g = TestData.Tile([0.5f, 0.25f, -1f]);
        Path(path)(w, g, 0.1f, 0);
        TestData.AssertTiled([0.95, -2.025, 0.6], w);
        Path(path)(w, g, 0.1f, 0);
        TestData.AssertTiled([0.9, -2.05, 0.7], w);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Weight_decay_adds_wd_times_w_to_the_gradient(string path)
    {
        // d = g + 0.1 w; w -= 0.1 d
        // step 1: d = [0.5 + 0.1, 0.25 - 0.2, -1 + 0.05] = [0.6, 0.05, -0.95]; w = [0.94, -2.005, 0.595]
        // step 2: d = [0.5 + 0.094, 0.25 - 0.2005, -1 + 0.0595] = [0.594, 0.0495, -0.9405];
        //         w = [0.94 - 0.0594, -2.005 - 0.00495, 0.595 + 0.09405] = [0.8806, -2.00995, 0.68905]
        var w = TestData.Tile([1f, -2f, 0.5f]);
        var g = TestData.Tile([0.5f, 0.25f, -1f]);
        Path(path)(w, g, 0.1f, 0.1f);
        TestData.AssertTiled([0.94, -2.005, 0.595], w);
        Path(path)(w, g, 0.1f, 0.1f);
        TestData.AssertTiled([0.8806, -2.00995, 0.68905], w);
    }

    [Theory]
    [MemberData(nameof(TestData.AwkwardLengths), MemberType = typeof(TestData))]
    public void Apply_is_bit_identical_to_Reference(int length)
    {
        // The same float operations in the same order, no fused multiply-add: the results agree bit for bit.
        var expected = TestData.Uniform(1, length);
        var actual = (float[])expected.Clone();
        for (var step = 0; step < 3; step++)
        {
            var g = TestData.Uniform(100 + step, length);
            Sgd.Reference(expected, g, 0.05f, 0.01f);
            Sgd.Apply(actual, g, 0.05f, 0.01f);
        }
        TestData.AssertBitwiseEqual(expected, actual);
    }

    [Fact]
    public void Mismatched_lengths_throw_before_any_write()
    {
        var w = TestData.Uniform(2, 17);
        var before = (float[])w.Clone();
        Assert.Throws<ArgumentException>(() => Sgd.Apply(w, new float[16], 0.1f, 0));
        Assert.Equal(before, w);
    }
}
