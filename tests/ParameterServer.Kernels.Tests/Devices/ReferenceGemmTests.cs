using ParameterServer.Kernels.Devices.Cpu;

namespace ParameterServer.Kernels.Tests.Devices;

public class ReferenceGemmTests
{
    // op(A) = [[1, 2, 3], [4, 5, 6]] (2 x 3), op(B) = [[1, 0], [0, 1], [2, -1]] (3 x 2), C = [[1, 1], [1, 1]].
    // op(A) op(B) = [[1 + 0 + 6, 0 + 2 - 3], [4 + 0 + 12, 0 + 5 - 6]] = [[7, -1], [16, -1]];
    // with alpha = 2, beta = 0.5: [[14.5, -1.5], [32.5, -1.5]].
    private static readonly float[] Expected = [14.5f, -1.5f, 32.5f, -1.5f];
    private static readonly float[] A = [1, 2, 3, 4, 5, 6];
    private static readonly float[] AStoredTransposed = [1, 4, 2, 5, 3, 6];
    private static readonly float[] B = [1, 0, 0, 1, 2, -1];
    private static readonly float[] BStoredTransposed = [1, 0, 2, 0, 1, -1];

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Matches_the_product_worked_by_hand(bool transA, bool transB)
    {
        float[] c = [1, 1, 1, 1];
        ReferenceGemm.Multiply(transA, transB, 2, 2, 3, 2f, transA ? AStoredTransposed : A, transB ? BStoredTransposed : B, 0.5f, c);
        Assert.Equal(Expected, c);
    }
}
