using ParameterServer.Kernels.Updates;

namespace ParameterServer.Kernels.Tests.Updates;

public class MomentumTests
{
    private delegate void Rule(Span<float> w, ReadOnlySpan<float> g, Span<float> b, float lr, float momentum, bool nesterov, float weightDecay);

    public static TheoryData<string> Paths => new() { nameof(Momentum.Apply), nameof(Momentum.Reference) };

    private static Rule Path(string name) => name == nameof(Momentum.Apply) ? Momentum.Apply : Momentum.Reference;

    [Theory]
    [MemberData(nameof(Paths))]
    public void Heavy_ball_three_steps_match_the_rule_computed_by_hand(string path)
    {
        // PyTorch's form, lr = 0.1, mu = 0.9, g = [0.5, -1] every step, b starts at 0:
        // step 1: b = [0.5, -1];                                w = [1 - 0.05, -2 + 0.1] = [0.95, -1.9]
        // step 2: b = 0.9 [0.5, -1] + [0.5, -1] = [0.95, -1.9];  w = [0.95 - 0.095, -1.9 + 0.19] = [0.855, -1.71]
        // step 3: b = 0.9 [0.95, -1.9] + [0.5, -1] = [1.355, -2.71]; w = [0.855 - 0.1355, -1.71 + 0.271] = [0.7195, -1.439]
        var (w, g, b) = (TestData.Tile([1f, -2f]), TestData.Tile([0.5f, -1f]), new float[19]);
        double[][] expected = [[0.95, -1.9], [0.855, -1.71], [0.7195, -1.439]];
        foreach (var afterStep in expected)
        {
            Path(path)(w, g, b, 0.1f, 0.9f, false, 0);
            TestData.AssertTiled(afterStep, w);
        }
        TestData.AssertTiled([1.355, -2.71], b);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Nesterov_three_steps_match_the_rule_computed_by_hand(string path)
    {
        // b as above; w -= lr * (g + mu * b):
        // step 1: g + 0.9 b = [0.5 + 0.45, -1 - 0.9] = [0.95, -1.9];        w = [1 - 0.095, -2 + 0.19] = [0.905, -1.81]
        // step 2: g + 0.9 b = [0.5 + 0.855, -1 - 1.71] = [1.355, -2.71];    w = [0.905 - 0.1355, -1.81 + 0.271] = [0.7695, -1.539]
        // step 3: g + 0.9 b = [0.5 + 1.2195, -1 - 2.439] = [1.7195, -3.439]; w = [0.7695 - 0.17195, -1.539 + 0.3439] = [0.59755, -1.1951]
        var (w, g, b) = (TestData.Tile([1f, -2f]), TestData.Tile([0.5f, -1f]), new float[19]);
        double[][] expected = [[0.905, -1.81], [0.7695, -1.539], [0.59755, -1.1951]];
        foreach (var afterStep in expected)
        {
            Path(path)(w, g, b, 0.1f, 0.9f, true, 0);
            TestData.AssertTiled(afterStep, w);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Weight_decay_enters_the_momentum_buffer(string path)
    {
        // lr = 0.1, mu = 0.9, wd = 0.1, w = 1, g = 0.5:
        // step 1: d = 0.5 + 0.1 = 0.6;    b = 0.6;                  w = 1 - 0.06 = 0.94
        // step 2: d = 0.5 + 0.094 = 0.594; b = 0.54 + 0.594 = 1.134; w = 0.94 - 0.1134 = 0.8266
        var (w, g, b) = (TestData.Tile([1f]), TestData.Tile([0.5f]), new float[19]);
        Path(path)(w, g, b, 0.1f, 0.9f, false, 0.1f);
        TestData.AssertTiled([0.94], w);
        Path(path)(w, g, b, 0.1f, 0.9f, false, 0.1f);
        TestData.AssertTiled([0.8266], w);
        TestData.AssertTiled([1.134], b);
    }

    public static TheoryData<int, bool> LengthsAndNesterov()
    {
        var data = new TheoryData<int, bool>();
        foreach (var length in TestData.AwkwardLengths)
        {
            data.Add(length, false);
            data.Add(length, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(LengthsAndNesterov))]
    public void Apply_is_bit_identical_to_Reference(int length, bool nesterov)
    {
        var (w, b) = (TestData.Uniform(1, length), TestData.Uniform(2, length));
        var (w2, b2) = ((float[])w.Clone(), (float[])b.Clone());
        for (var step = 0; step < 3; step++)
        {
            var g = TestData.Uniform(100 + step, length);
            Momentum.Reference(w, g, b, 0.05f, 0.9f, nesterov, 0.01f);
            Momentum.Apply(w2, g, b2, 0.05f, 0.9f, nesterov, 0.01f);
        }
        TestData.AssertBitwiseEqual(w, w2);
        TestData.AssertBitwiseEqual(b, b2);
    }
}
