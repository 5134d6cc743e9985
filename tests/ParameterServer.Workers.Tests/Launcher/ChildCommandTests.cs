using ParameterServer.WorkerHost.Launch;

namespace ParameterServer.Workers.Tests.Launcher;

public sealed class ChildCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_dll_runs_through_the_dotnet_host_and_an_executable_as_it_is()
    {
        File.WriteAllText(_dir.File("paramserver.dll"), "");
        File.WriteAllText(_dir.File("paramserver"), "");

        var dll = ChildCommand.For(_dir.File("paramserver.dll"));
        var exe = ChildCommand.For(_dir.File("paramserver"));

        Assert.Equal("dotnet", Path.GetFileNameWithoutExtension(dll.FileName));
        Assert.Equal([_dir.File("paramserver.dll")], dll.LeadingArgs);
        Assert.Equal((_dir.File("paramserver"), 0), (exe.FileName, exe.LeadingArgs.Count));
    }

    [Fact]
    public void Arguments_follow_the_leading_ones_unsplit()
    {
        var info = new ChildCommand("dotnet", ["psworker.dll"]).StartInfo(["train", "--data", "/data/with space"]);

        Assert.Equal(["psworker.dll", "train", "--data", "/data/with space"], info.ArgumentList);
        Assert.True(info.RedirectStandardOutput && info.RedirectStandardError && !info.UseShellExecute);
    }

    [Fact]
    public void A_missing_program_is_refused_before_starting()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ChildCommand.For(_dir.File("absent.dll")));

        Assert.Contains(_dir.File("absent.dll"), e.Message);
    }
}
