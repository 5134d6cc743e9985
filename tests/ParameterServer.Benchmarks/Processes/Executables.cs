namespace ParameterServer.Benchmarks.Processes;

/// <summary>
/// The programs the benchmarks start as processes of their own, built in the same configuration as the benchmark
/// (./bench.sh builds them all in Release first). Found from the repository root above the benchmark's output folder.
/// </summary>
internal static class Executables
{
    /// <summary>The repository root: the nearest folder above the executable that holds ParameterServer.sln.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Release or Debug, as this benchmark was built (its output folder is bin/CONFIGURATION/TFM/).</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Release";

    public static string Paramserver => Require("src/ParameterServer/Host", "paramserver");

    public static string Psworker => Require("src/GpuWorkers/WorkerHost", "psworker");

    private static string Require(string project, string name)
    {
        var path = Path.Combine(RepositoryRoot, project, "bin", Configuration, "net10.0", name);
        if (!File.Exists(path) && !File.Exists(path + ".dll"))
            throw new FileNotFoundException($"{name} is not built at {path}: run `dotnet build {project} -c {Configuration}` (./bench.sh does)");
        return File.Exists(path) ? path : path + ".dll";
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ParameterServer.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"no ParameterServer.sln above {AppContext.BaseDirectory}");
    }
}
