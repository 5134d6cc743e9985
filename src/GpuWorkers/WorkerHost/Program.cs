using ParameterServer.WorkerHost.Cli;

return args switch
{
    ["launch", .. var rest] => await LaunchCommand.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: psworker launch [options]   (psworker launch --help for the options)");
    return 2;
}
