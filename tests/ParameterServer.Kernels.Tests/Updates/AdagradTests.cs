using ParameterServer.Kernels.Updates;

namespace ParameterServer.Kernels.Tests.Updates;

public class AdagradTests
{
    private delegate void Rule(Span<float> w, ReadOnlySpan<float> g, Span<float> s, float lr, float epsilon, float weightDecay);

    public static TheoryData<string> Paths => new() { nameof(Adagrad.Apply), nameof(Adagrad.Reference) };

    private static Rule Path(string name) => name == nameof(Adagrad.Apply) ? Adagrad.Apply : Adagrad.Reference;

    [Theory]
    [MemberData(nameof(Paths))]
    public void Three_steps_match_the_rule_computed_by_hand(string path)
    {
        // lr = 0.1, eps = 1e-10 (below the tolerance), w = [1, -2]:
        // step 1: g = [3, -4];  s = [9, 16];    w = [1 - 0.1 * 3/3, -2 + 0.1 * 4/4] = [0.9, -1.9]
        // step 2: g = [4, 0];   s = [25, 16];   w = [0.9 - 0.1 * 4/5, -1.9] = [0.82, -1.9]
        // step 3: g = [12, 12]; s = [169, 160]; w = [0.82 - 1.2/13, -1.9 - 1.2/sqrt(160)]
        //                                         = [0.82 - 0.0923077, -1.9 - 0.0948683] = [0.7276923, -1.9948683]
        var (w, s) = (TestData.Tile([1f, -2f]), new float[19]);
        float[][] gradients = [[3, -4], [4, 0], [12, 12]];
        double[][] expected = [[0.9, -1.9], [0.82, -1.9], [0.7276923, -1.9948683]];
        for (var step = 0; step < 3; step++)
        {
            Path(path)(w, TestData.Tile(gradients[step]), s, 0.1f, 1e-10f, 0);
            TestData.AssertTiled(expected[step], w);
        }
        TestData.AssertTiled([169, 160], s, tolerance: 0);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Weight_decay_enters_the_accumulator(string path)
    {
        // lr = 0.1, wd = 0.5, w = 1, g = 1.5:
        // step 1: d = 1.5 + 0.5 = 2;     s = 4;               w = 1 - 0.1 * 2/2 = 0.9
        // step 2: d = 1.5 + 0.45 = 1.95; s = 4 + 3.8025 = 7.8025; w = 0.9 - 0.195/2.7932955 = 0.9 - 0.0698100 = 0.8301900
        var (w, g, s) = (TestData.Tile([1f]), TestData.Tile([1.5f]), new float[19]);
        Path(path)(w, g, s, 0.1f, 1e-10f, 0.5f);
        TestData.AssertTiled([0.9], w);
        Path(path)(w, g, s, 0.1f, 1e-10f, 0.5f);
        TestData.AssertTiled([0.8301900], w);
        TestData.AssertTiled([7.8025], s);
    }

    [Theory]
    [MemberData(nameof(TestData.AwkwardLengths), MemberType = typeof(TestData))]
    public void Apply_is_bit_identical_to_Reference(int length)
    {
        // Vector square root and division are correctly rounded, like MathF.Sqrt and scalar division.
        var (w, s) = (TestData.Uniform(1, length), TestData.Positive(2, length));
        var (w2, s2) = ((float[])w.Clone(), (float[])s.Clone());
        for (var step = 0; step < 3; step++)
        {
            var g = TestData.Uniform(100 + step, length);
            Adagrad.Reference(w, g, s, 0.05f, 1e-10f, 0.01f);
            Adagrad.Apply(w2, g, s2, 0.05f, 1e-10f, 0.01f);
        }
        TestData.AssertBitwiseEqual(w, w2);
        TestData.AssertBitwiseEqual(s, s2);
    }
}
