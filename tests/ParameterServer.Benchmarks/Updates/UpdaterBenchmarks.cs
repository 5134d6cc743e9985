using BenchmarkDotNet.Attributes;

namespace ParameterServer.Benchmarks.Updates;

/// <summary>Each rule's vectorized Apply against its scalar Reference on one cache-warm 4 MiB shard.</summary>
[MemoryDiagnoser]
public class UpdaterBenchmarks
{
    private ShardArrays _shard = null!;

    public static IEnumerable<UpdateRule> Rules => UpdateRule.All;

    [ParamsSource(nameof(Rules))]
    public UpdateRule Rule { get; set; } = null!;

    [GlobalSetup]
    public void Setup() => _shard = new ShardArrays(UpdateRule.ShardLength, Rule.Slots, seed: 1);

    [Benchmark]
    public void Apply() => Rule.Apply(_shard);

    [Benchmark(Baseline = true)]
    public void Reference() => Rule.Reference(_shard);
}
