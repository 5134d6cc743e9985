using ParameterServer.Grains.Hosting;
using ParameterServer.Tests.Storage;

namespace ParameterServer.Tests.Cluster;

/// <summary>
/// One silo with tight model limits, shared by the tests of those limits: a model may take 1 MiB of values and slots,
/// a clock wait is held 300 ms.
/// </summary>
public sealed class LimitedSiloFixture : Xunit.IAsyncLifetime
{
    public const long MaxModelBytes = 1 << 20;
    public static readonly TimeSpan MaxClockWait = TimeSpan.FromMilliseconds(300);

    private readonly string _directory = Directory.CreateTempSubdirectory("ps-limits-").FullName;
    private SiloWithCheckpointStorage _silo = null!;

    public IGrainFactory Grains => _silo.Grains;

    public async Task InitializeAsync() => _silo = await SiloWithCheckpointStorage.StartAsync(silo => silo
        .AddLocalCheckpointStorage(_directory)
        .AddParameterServerGrains()
        .AddModelLimits(o => (o.MaxModelBytes, o.MaxClockWait) = (MaxModelBytes, MaxClockWait)));

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

[Xunit.CollectionDefinition(Name)]
public sealed class LimitedSiloCollection : Xunit.ICollectionFixture<LimitedSiloFixture>
{
    public const string Name = "limited silo";
}
