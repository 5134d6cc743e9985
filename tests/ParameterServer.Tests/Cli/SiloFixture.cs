using Xunit;

namespace ParameterServer.Tests.Cli;

/// <summary>
/// One real <c>paramserver silo</c> shared by the tests of the commands that talk to a cluster through its gateway
/// (the shared TestCluster connects its silos and client in memory, without a gateway port).
/// </summary>
public sealed class SiloFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("ps-silo-").FullName;

    internal InProcessSilo Silo { get; private set; } = null!;

    public async Task InitializeAsync() => Silo = await InProcessSilo.StartAsync(_dataDirectory);

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class SiloCollection : ICollectionFixture<SiloFixture>
{
    public const string Name = "silo";
}
