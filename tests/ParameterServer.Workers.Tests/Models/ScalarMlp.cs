namespace ParameterServer.Workers.Tests.Models;

/// <summary>
/// The MLP written out with loops in double precision, from host copies of its tables (weight out x in, bias 1 x out,
/// in the order fc1.weight, fc1.bias, fc2.weight, ...): the independent reference for the device layers.
/// </summary>
internal static class ScalarMlp
{
    public sealed record Result(double MeanLoss, double[] Logits, List<double[]> HiddenPreActivations);

    public static Result Run(IReadOnlyList<int> widths, IReadOnlyList<float[]> tables, float[] x, int[] labels)
    {
        var batch = labels.Length;
        var hidden = new List<double[]>();
        var a = x.Select(v => (double)v).ToArray();
        for (var layer = 0; layer + 1 < widths.Count; layer++)
        {
            int inW = widths[layer], outW = widths[layer + 1];
            var w = tables[2 * layer];
            var bias = tables[2 * layer + 1];
            var z = new double[batch * outW];
            for (var s = 0; s < batch; s++)
                for (var o = 0; o < outW; o++)
                {
                    double sum = bias[o];
                    for (var i = 0; i < inW; i++) sum += w[o * inW + i] * a[s * inW + i];
                    z[s * outW + o] = sum;
                }
            var last = layer + 2 == widths.Count;
            if (!last) hidden.Add(z);
            a = last ? z : z.Select(v => Math.Max(v, 0)).ToArray();
        }
        var classes = widths[^1];
        double loss = 0;
        for (var s = 0; s < batch; s++)
        {
            // -log softmax(z)[label] = log sum exp z - z[label]
            var row = a.AsSpan(s * classes, classes);
            double sumExp = 0;
            foreach (var v in row) sumExp += Math.Exp(v);
            loss += Math.Log(sumExp) - row[labels[s]];
        }
        return new Result(loss / batch, a, hidden);
    }
}
