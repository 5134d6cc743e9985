namespace ParameterServer.Benchmarks.Report;

/// <summary>The groups of the report, numbered as the items of the benchmarks issue (issue 6); the rest follow.</summary>
public static class Sections
{
    public const string Transfer = "1 transfer";
    public const string ServerUpdate = "2 server update";
    public const string Overhead = "3 parameter server overhead";
    public const string Latency = "4 latency";
    public const string ScalingHere = "5 scaling here";
    public const string ScalingModel = "6 scaling model";
    public const string PyTorch = "7 against PyTorch";
    public const string Gpu = "8 GPU";
    public const string Gemm = "CPU GEMM";
    public const string Lanes = "data plane lanes";

    private static readonly string[] _order = [Transfer, ServerUpdate, Overhead, Latency, ScalingHere, ScalingModel, PyTorch, Gpu, Gemm, Lanes];

    /// <summary>Where the report prints a section, whatever order it was measured in: the order above, others last.</summary>
    public static int Rank(string section) => Array.IndexOf(_order, section) is var at and >= 0 ? at : int.MaxValue;
}
