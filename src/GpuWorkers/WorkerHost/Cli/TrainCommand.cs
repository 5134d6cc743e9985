using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Kernels.Devices;
using ParameterServer.Workers.Data;
using ParameterServer.Workers.Models;
using ParameterServer.Workers.Progress;
using ParameterServer.Workers.Training;

namespace ParameterServer.WorkerHost.Cli;

/// <summary>
/// <c>psworker train</c>: one worker. Loads Fashion-MNIST, opens the device, builds the MLP, creates (or finds, with
/// the same spec) the model on the cluster, joins its job, trains the data partitions the job gives it, leaves; the
/// same command joins a job that is already running. With <c>--standalone</c> it
/// trains the same model with the same update rule in this process instead. Progress records go to stdout, logs to
/// stderr; a failure is an error record and exit code 1.
/// </summary>
internal static class TrainCommand
{
    /// <summary>The MLP between the 784 pixels and the 10 classes.</summary>
    public static readonly int[] HiddenWidths = [256, 128];

    // Training and the communication chain share the thread pool with the CPU device's GEMM threads; on a 2-core
    // machine the default minimum (2) lets a GEMM starve the chain until the pool injects threads, every step.
    private const int MinPoolThreads = 16;

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        TrainArguments a;
        try
        {
            a = TrainArguments.Parse(args);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"psworker train: {e.Message}");
            return 2;
        }

        ThreadPool.GetMinThreads(out var workerThreads, out var ioThreads);
        ThreadPool.SetMinThreads(Math.Max(workerThreads, MinPoolThreads), ioThreads);
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        // Every log line to stderr: stdout carries the progress records.
        using var logs = LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Information)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(o => (o.SingleLine, o.TimestampFormat) = (true, "HH:mm:ss ")));
        var logger = logs.CreateLogger($"psworker.worker-{a.WorkerIndex}");
        var progress = new ProgressWriter(Console.Out);
        try
        {
            await TrainAsync(a, progress, logger, stop.Token);
            return 0;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Training failed");
            progress.Write(new WorkerError(a.WorkerIndex, e.Message));
            return 1;
        }

        void Stop(PosixSignalContext context)
        {
            // The loop stops at the next step and the worker leaves its job, so its peers do not wait for its lease.
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static async Task TrainAsync(TrainArguments a, ProgressWriter progress, ILogger logger, CancellationToken ct)
    {
        var data = FashionMnist.Load(a.Data);
        var normalization = Normalization.Of(data.Train);
        using var device = Device.Open(a.Device);
        using var mlp = new Mlp(device, [data.Train.PixelsPerImage, .. HiddenWidths, FashionMnist.Classes], a.BatchSize);
        var options = new TrainingOptions
        {
            Worker = a.WorkerIndex,
            Partitions = a.Workers,
            BatchSize = a.BatchSize,
            Epochs = a.Epochs,
            Seed = a.Seed,
            // The job names the worker that evaluates each epoch, the others spend their time training; every worker
            // evaluates the last, so that the run's accuracy does not depend on one of them living to the end.
            Evaluate = true,
        };
        var steps = (long)options.StepsPerEpoch(data.Train.Count) * a.Epochs;
        var spec = MlpModelSpec.Create(a.Model, mlp, Optimizer(a, steps), a.Consistency, a.Seed, partitions: a.Workers) with { WorkerLease = a.Lease };
        logger.LogInformation("Worker {Worker}, job of {Workers} partitions: {Device}, MLP {Widths}, batch {Batch}, {Steps} steps, {Optimizer} lr {LearningRate}, {Consistency}, lease {Lease} s{Mode}",
            a.WorkerIndex, a.Workers, device, string.Join('-', mlp.Widths), a.BatchSize, steps, a.Optimizer, a.LearningRate, a.Consistency, a.Lease.TotalSeconds,
            a.Standalone ? ", standalone" : $", {a.Encoding} transfers");

        if (a.Standalone)
        {
            await using var local = new LocalParameterStore(spec, mlp.Parameters, device);
            await new Trainer(mlp, local, data.Train, data.Test, normalization, options, progress).RunAsync(ct);
            return;
        }
        // Workers start beside silos that may still be joining, on a machine that may be busy: 10 s (the default) is short.
        var connection = a.ConnectionString is null
            ? new ConnectionOptions { GatewayPort = a.GatewayPort, ConnectTimeout = ConnectTimeout }
            : new ConnectionOptions { Clustering = ClusteringKind.Azure, ConnectionString = a.ConnectionString, ClusterId = a.ClusterId!, ConnectTimeout = ConnectTimeout };
        await using var client = await ParameterServerClient.ConnectAsync(connection, ct);
        var model = await client.CreateModelAsync(spec, ct);
        await using var pipeline = new WorkerPipeline(model.ForWorker($"worker-{a.WorkerIndex}"), mlp.Parameters, device, a.Workers, logger, a.Encoding);
        await new Trainer(mlp, pipeline, data.Train, data.Test, normalization, options, progress).RunAsync(ct);
    }

    /// <summary>
    /// The update rule with its learning-rate schedule: linear warm-up over the first 2% of the updates, then cosine
    /// decay to 0 at the last. A shard counts updates: one per clock under BSP, one per push (a partition's step) otherwise.
    /// </summary>
    private static OptimizerSpec Optimizer(TrainArguments a, long steps)
    {
        var updates = !a.Standalone && a.Consistency.Mode == ConsistencyMode.Bsp ? steps : steps * a.Workers;
        var schedule = LearningRateSchedule.CosineWithWarmup(warmupSteps: updates / 50 + 1, totalSteps: updates + 1);
        var rule = a.Optimizer switch
        {
            OptimizerKind.Sgd => OptimizerSpec.Sgd(a.LearningRate),
            OptimizerKind.Momentum => OptimizerSpec.WithMomentum(a.LearningRate),
            OptimizerKind.Adagrad => OptimizerSpec.Adagrad(a.LearningRate),
            OptimizerKind.Adam => OptimizerSpec.Adam(a.LearningRate),
            _ => OptimizerSpec.AdamW(a.LearningRate),
        };
        return rule with { Schedule = schedule };
    }
}
