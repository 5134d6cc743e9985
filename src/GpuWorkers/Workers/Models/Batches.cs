namespace ParameterServer.Workers.Models;

/// <summary>The batch-size check every layer shares.</summary>
internal static class Batches
{
    public static void Check(int batch, int maxBatch)
    {
        if (batch < 1 || batch > maxBatch)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"the batch must hold 1 to {maxBatch} samples");
    }
}
