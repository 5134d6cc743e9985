using System.Runtime.InteropServices;
using ParameterServer.WorkerHost.Launch;
using ParameterServer.WorkerHost.Output;
using ParameterServer.Workers.Data;
using Spectre.Console;

namespace ParameterServer.WorkerHost.Cli;

/// <summary>
/// <c>psworker launch</c>: parses the options, runs the job with a live display on a terminal (plain lines
/// otherwise), writes the results JSON and the plot, and prints the final table. A worker lost during the run is shown
/// and recorded, and the others finish the job; the run fails (exit code 1) only when none is left or no result can be
/// had. Ctrl-C, SIGTERM and SIGHUP stop the run and every process it started.
/// </summary>
internal static class LaunchCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(LaunchOptions.Usage);
            return 0;
        }
        LaunchOptions options;
        try
        {
            options = LaunchOptions.Parse(args, DateTime.Now);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"psworker launch: {e.Message}\n\n{LaunchOptions.Usage}");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);

        var console = AnsiConsole.Console;
        var live = console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        ITrainingDisplay display = live ? new TerminalDisplay(console) : new PlainDisplay(Console.Out, TimeSpan.FromSeconds(10));
        var mode = options.Standalone ? "standalone (no parameter server)" : options.Consistency.ToString();
        display.Info($"psworker launch: {options.Workers} workers, {options.Epochs} epochs, {mode}, batch {options.BatchSize}, "
            + $"{CommandLineOptions.ChoiceName(options.Optimizer)} lr {options.LearningRate}, {CommandLineOptions.ChoiceName(options.Encoding)}, "
            + $"device {options.Device}, seed {options.Seed}, data {options.DataDirectory}");
        try
        {
            var results = await new Launcher(options, display).RunAsync(stop.Token);
            results.Write(options.JsonPath);
            string? plot = null;
            if (results.Curves.Length > 0)
            {
                CurvePlot.Write(options.PlotPath, results.Curves, $"Fashion-MNIST MLP: {options.Workers} workers, {results.Consistency}, {results.Device}");
                plot = options.PlotPath;
            }
            FinalReport.Write(console, results, options.JsonPath, plot);
            return 0;
        }
        catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or ChildFailedException)
        {
            // A Ctrl-C on a terminal reaches the children too: one may exit before the run sees the cancellation.
            Console.Error.WriteLine("psworker launch: interrupted; every process it started has been stopped");
            return 130;
        }
        catch (ChildFailedException e)
        {
            Console.Error.WriteLine($"psworker launch: {e.Message}; every process it started has been stopped.");
            Console.Error.WriteLine($"last lines of {e.Child.Name}{(e.Child.LogPath is { } log ? $" (all of them in {log})" : "")}:");
            foreach (var line in e.LastLines)
                Console.Error.WriteLine($"  {line}");
            return 1;
        }
        catch (Exception e) when (e is DatasetException or UsageException or FileNotFoundException or InvalidOperationException)
        {
            Console.Error.WriteLine($"psworker launch: {e.Message}");
            return e is UsageException ? 2 : 1;
        }

        void Stop(PosixSignalContext context)
        {
            // Keep the process alive until the children are stopped; the cancelled run does the cleanup.
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
