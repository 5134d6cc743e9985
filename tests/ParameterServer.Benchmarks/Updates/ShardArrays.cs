namespace ParameterServer.Benchmarks.Updates;

/// <summary>One shard as the server holds it: values, the pushed gradient, and the optimizer's slots.</summary>
public sealed class ShardArrays
{
    private long _step;

    public ShardArrays(int length, int slots, int seed)
    {
        var rng = new Random(seed);
        W = Uniform(rng, length);
        G = Uniform(rng, length);
        Slots = new float[slots][];
        for (var k = 0; k < slots; k++) Slots[k] = new float[length];
    }

    public float[] W { get; }
    public float[] G { get; }
    public float[][] Slots { get; }

    /// <summary>Adam's 1-based step, advanced once per update.</summary>
    public long NextStep() => ++_step;

    /// <summary>Zeroes the slots and the step, as for a freshly created shard.</summary>
    public void ResetOptimizerState()
    {
        foreach (var slot in Slots) Array.Clear(slot);
        _step = 0;
    }

    private static float[] Uniform(Random rng, int length)
    {
        var x = new float[length];
        for (var i = 0; i < length; i++) x[i] = 2 * rng.NextSingle() - 1;
        return x;
    }
}
