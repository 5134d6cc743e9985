namespace ParameterServer.Tests.Processes;

/// <summary>Where the programs that process-level tests start are: the repository's Azurite, the paramserver and psworker the tests were built with.</summary>
internal static class Repository
{
    public static readonly string Root = FindRoot();

    /// <summary>The Azurite of package.json (<c>npm ci</c> installs it; ./test.sh does so when it is missing).</summary>
    public static string Azurite => Path.Combine(Root, "node_modules", ".bin", "azurite");

    public static bool HasAzurite => File.Exists(Azurite);

    /// <summary>paramserver.dll, built beside the tests (the test project references the host).</summary>
    public static string ParamServer => Path.Combine(AppContext.BaseDirectory, "paramserver.dll");

    /// <summary>psworker.dll, built beside the tests (the test project references the worker host).</summary>
    public static string PsWorker => Path.Combine(AppContext.BaseDirectory, "psworker.dll");

    /// <summary>The dotnet executable that runs the tests, to run paramserver.dll with.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "ParameterServer.sln"))) return directory.FullName;
        throw new InvalidOperationException($"no ParameterServer.sln above {AppContext.BaseDirectory}");
    }
}
