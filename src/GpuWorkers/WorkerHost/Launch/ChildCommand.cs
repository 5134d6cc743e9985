using System.Diagnostics;

namespace ParameterServer.WorkerHost.Launch;

/// <summary>
/// How to start a program: an executable runs as it is, a .NET .dll through the dotnet host.
/// Example: <c>var silo = ChildCommand.For("bin/paramserver.dll"); var info = silo.StartInfo(["silo"]);</c>
/// </summary>
internal sealed record ChildCommand(string FileName, IReadOnlyList<string> LeadingArgs)
{
    public static ChildCommand For(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} does not exist", path);
        return path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? new ChildCommand(DotnetHost(), [path]) : new ChildCommand(path, []);
    }

    /// <summary>The command that started this process: its apphost, or the dotnet host and this assembly.</summary>
    public static ChildCommand Self()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown");
        return IsDotnetHost(process) ? new ChildCommand(process, [typeof(ChildCommand).Assembly.Location]) : new ChildCommand(process, []);
    }

    public ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in LeadingArgs.Concat(args))
            info.ArgumentList.Add(arg);
        return info;
    }

    public override string ToString() => string.Join(' ', LeadingArgs.Prepend(FileName));

    private static string DotnetHost() =>
        Environment.ProcessPath is { } self && IsDotnetHost(self) ? self : "dotnet";

    private static bool IsDotnetHost(string path) => Path.GetFileNameWithoutExtension(path) == "dotnet";
}
