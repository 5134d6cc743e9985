using System.Runtime.InteropServices;
using ParameterServer.Contracts;
using ParameterServer.Host.Commands;
using ParameterServer.Tests.Client;
using Xunit;
using static ParameterServer.Tests.Cli.CliRun;

namespace ParameterServer.Tests.Cli;

/// <summary>
/// <c>paramserver</c> with Azure Table clustering and Azure Blob checkpoints, against Azurite (./test.sh starts it and
/// exports its connection string as PS_AZURITE).
/// </summary>
public sealed class AzureSiloTests : IDisposable
{
    private static readonly string? Azurite = Environment.GetEnvironmentVariable("PS_AZURITE");

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("ps-azure-").FullName;

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [SkippableFact]
    public async Task The_cli_finds_the_silo_through_the_clustering_table_and_checkpoints_survive_a_restart()
    {
        Skip.If(Azurite is null, "PS_AZURITE is not set: run ./test.sh, which starts Azurite");
        var spec = SgdTable.Model("azure", ConsistencySpec.Async);
        var first = await InProcessSilo.StartAsync(_dataDirectory, azure: Azurite);
        await using (var client = await first.ConnectAsync())
            await (await client.CreateModelAsync(spec)).PushAsync("w", SgdTable.Gradient);
        var checkpoint = await Run(["checkpoint", "--model", spec.Name, .. first.CliOptions]);
        await first.StopAsync();

        await using var second = await InProcessSilo.StartAsync(_dataDirectory, first.ClusterId, Azurite);
        var path = Path.Combine(_dataDirectory, "w.npy");
        var pull = await Run(["pull", "--model", spec.Name, "--table", "w", "--out", path, .. second.CliOptions]);

        Assert.Equal($"checkpointed 2 shard(s) of model {spec.Name}", checkpoint.Out.Trim());
        Assert.Equal(ExitCodes.Ok, pull.Code);
        Assert.Equal(SgdTable.AfterOnePush, MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path).AsSpan(128)).ToArray());
        // Blob storage: nothing was written to the local data directory but the export.
        Assert.False(Directory.Exists(Path.Combine(_dataDirectory, "checkpoints")));
    }
}
