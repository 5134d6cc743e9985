using ParameterServer.Benchmarks.Training;

namespace ParameterServer.Benchmarks.Tests.Training;

public class LaunchResultsTests
{
    // A results file as psworker launch writes it (snake_case), cut to the fields read; epoch 2 was not evaluated.
    private const string Json = """
        {
          "test_accuracy": 0.8841,
          "samples_per_second": 12345.5,
          "stall_fraction": [0.1, 0.3],
          "curves": [
            { "epoch": 1, "train_loss": 0.6, "test_accuracy": 0.8512, "test_loss": 0.41, "test_samples": 10000, "seconds": 5.5 },
            { "epoch": 2, "train_loss": 0.4, "test_accuracy": null, "test_loss": null, "test_samples": 0, "seconds": 10.25 },
            { "epoch": 3, "train_loss": 0.3, "test_accuracy": 0.8803, "test_loss": 0.33, "test_samples": 10000, "seconds": 16.0 },
            { "epoch": 4, "train_loss": 0.3, "test_accuracy": 0.8841, "test_loss": 0.32, "test_samples": 10000, "seconds": 21.5 }
          ]
        }
        """;

    [Fact]
    public void Reads_throughput_and_the_mean_stall_of_the_workers()
    {
        var results = LaunchResults.Parse(Json);

        Assert.Equal(12345.5, results.SamplesPerSecond);
        Assert.Equal(0.2, results.MeanStall, 12); // (0.1 + 0.3) / 2
        Assert.Equal(4, results.Curve.Count);
        Assert.Null(results.Curve[1].TestAccuracy);
    }

    [Fact]
    public void Time_to_an_accuracy_is_the_first_evaluation_that_reaches_it()
    {
        var results = LaunchResults.Parse(Json);

        Assert.Equal(16.0, results.SecondsTo(0.88));   // epoch 3: 0.8803 >= 0.88
        Assert.Equal(21.5, results.SecondsTo(0.884));  // epoch 4: 0.8841
        Assert.Equal(5.5, results.SecondsTo(0.85));    // epoch 1
        Assert.Null(results.SecondsTo(0.885));         // never reached
        Assert.Equal(0.8841, results.BestAccuracy);
    }
}
