using ParameterServer.Host.Commands;
using Xunit;

namespace ParameterServer.Tests.Cli;

/// <summary>--rows takes Python's half-open slices of a table's rows.</summary>
public sealed class RowRangeTests
{
    [Theory]
    [InlineData(null, 0, 10)]
    [InlineData("2:5", 2, 3)]
    [InlineData("7:", 7, 3)]
    [InlineData(":4", 0, 4)]
    [InlineData(":", 0, 10)]
    public void A_slice_is_a_start_and_a_count(string? text, int start, int count)
    {
        Assert.Equal((start, count), RowRange.Parse(text, rows: 10));
    }

    [Theory]
    [InlineData("5")]
    [InlineData("5:5")]
    [InlineData("6:2")]
    [InlineData("a:3")]
    [InlineData("-1:3")]
    public void A_malformed_or_empty_slice_is_a_usage_error(string text)
    {
        Assert.Throws<UsageException>(() => RowRange.Parse(text, rows: 10));
    }
}
