using ParameterServer.DataPlane;
using Xunit;

namespace ParameterServer.Tests.DataPlane;

/// <summary>The pauses of a data port's accept loop after failed accepts (out of file descriptors, say).</summary>
public sealed class AcceptBackoffTests
{
    [Fact]
    public void Pauses_double_from_10_ms_up_to_1_s_and_start_over_after_an_accept()
    {
        var backoff = new AcceptBackoff();

        var pauses = Enumerable.Range(0, 9).Select(_ => backoff.Failed().TotalMilliseconds).ToArray();
        backoff.Succeeded();
        var afterAccept = backoff.Failed().TotalMilliseconds;

        // 10 * 2^k ms; 1280 is capped at 1000. A port failing for a minute tries about 60 accepts, not millions.
        Assert.Equal([10, 20, 40, 80, 160, 320, 640, 1000, 1000], pauses);
        Assert.Equal(10, afterAccept);
    }
}
