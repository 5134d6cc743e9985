return await ParameterServer.Host.Cli.RunAsync(args, Console.Out, Console.Error);
