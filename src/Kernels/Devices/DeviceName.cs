namespace ParameterServer.Kernels.Devices;

public enum DeviceKind
{
    Cpu = 0,
    Cuda = 1,
}

/// <summary>A compute device as a small value: "cpu" or "cuda:N" (TorchSharp's convention). Example: <c>DeviceName.Parse("cuda:0")</c>.</summary>
public readonly record struct DeviceName(DeviceKind Kind, int Index)
{
    public static DeviceName Cpu { get; } = new(DeviceKind.Cpu, 0);

    public static DeviceName Cuda(int index) => new(DeviceKind.Cuda, index);

    /// <summary>Parses "cpu", "cuda" (= cuda:0) or "cuda:N". "auto" is a choice, not a device: see <see cref="Device.Open"/>.</summary>
    public static DeviceName Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda") return Cuda(0);
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(5), out var i) && i >= 0) return Cuda(i);
        throw new FormatException($"device '{text}' is not one of auto, cpu, cuda, cuda:N");
    }

    public override string ToString() => Kind == DeviceKind.Cpu ? "cpu" : $"cuda:{Index}";
}
