using ParameterServer.WorkerHost.Cli;

return args switch
{
    ["launch", .. var rest] => await LaunchCommand.RunAsync(rest),
    ["train", .. var rest] => await TrainCommand.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: psworker launch [options]   (psworker launch --help for the options)");
    Console.Error.WriteLine("       psworker train OPTIONS      (one worker; psworker launch writes its command line)");
    return 2;
}
