using ParameterServer.Kernels.Updates;

namespace ParameterServer.Contracts;

/// <summary>
/// A shard's optimizer: applies a gradient to a range of the shard's values with the table's update rule and
/// learning-rate schedule, and owns the per-element slots (momentum buffer, Adagrad sums, Adam m and v).
/// Here, beside the specs, so that a worker training without a server (the standalone baseline) applies the very
/// rule the shards apply.
/// </summary>
public sealed class Updater
{
    private readonly OptimizerSpec _spec;

    /// <summary>Fresh slots for <paramref name="elements"/> values.</summary>
    public Updater(OptimizerSpec spec, int elements)
    {
        _spec = spec;
        Slots = new float[spec.SlotCount][];
        for (var i = 0; i < Slots.Length; i++)
            Slots[i] = new float[elements];
        if (spec.Kind == OptimizerKind.Adagrad)
            Array.Fill(Slots[0], spec.InitialAccumulator);
    }

    /// <summary>Slots restored from a checkpoint.</summary>
    public Updater(OptimizerSpec spec, float[][] slots, int elements)
    {
        if (slots.Length != spec.SlotCount || Array.Exists(slots, s => s.Length != elements))
            throw new ParameterServerException(ErrorCode.CorruptCheckpoint, $"{spec.Kind} needs {spec.SlotCount} slots of {elements} values");
        _spec = spec;
        Slots = slots;
    }

    public float[][] Slots { get; }

    /// <summary>
    /// Applies update number <paramref name="step"/> (0-based: the shard's version before it) to the values
    /// [offset, offset + gradient.Length).
    /// </summary>
    public void Apply(Span<float> values, ReadOnlySpan<float> gradient, int offset, long step)
    {
        var w = values.Slice(offset, gradient.Length);
        var lr = _spec.Schedule.At(_spec.LearningRate, step);
        var wd = _spec.WeightDecay;
        switch (_spec.Kind)
        {
            case OptimizerKind.Sgd:
                Sgd.Apply(w, gradient, lr, wd);
                break;
            case OptimizerKind.Momentum:
                Momentum.Apply(w, gradient, Slot(0, offset, gradient.Length), lr, _spec.Momentum, _spec.Nesterov, wd);
                break;
            case OptimizerKind.Adagrad:
                Adagrad.Apply(w, gradient, Slot(0, offset, gradient.Length), lr, _spec.Epsilon, wd);
                break;
            default:
                Adam.Apply(w, gradient, Slot(0, offset, gradient.Length), Slot(1, offset, gradient.Length),
                    lr, _spec.Beta1, _spec.Beta2, _spec.Epsilon, wd, decoupled: _spec.Kind == OptimizerKind.AdamW, step + 1);
                break;
        }
    }

    private Span<float> Slot(int slot, int offset, int length) => Slots[slot].AsSpan(offset, length);
}
