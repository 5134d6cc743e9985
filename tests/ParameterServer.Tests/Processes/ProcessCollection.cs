using ParameterServer.Tests.Faults;
using Xunit;

namespace ParameterServer.Tests.Processes;

/// <summary>
/// The tests that start silo and Azurite processes and kill them: one at a time and after the other tests, so that
/// their timings (failure detection, recovery) are not measured on a machine busy with other tests. Each is marked
/// [Trait("Category", "Process")]; ./test.sh leaves them out unless asked, .ci/run runs them. The training fault tests
/// share one run without a fault (<see cref="BaselineTraining"/>).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection : ICollectionFixture<BaselineTraining>
{
    public const string Name = "processes";

    public const string Category = "Process";
}
