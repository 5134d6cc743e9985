using ParameterServer.Benchmarks.GpuCheck;

if (args.Length > 0 && args[0] == "gpu-check") return GpuCheckCommand.Run(args[1..]);
Console.WriteLine("benchmarks: not yet");
return 0;
