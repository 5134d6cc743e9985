namespace ParameterServer.Kernels.Devices;

/// <summary>Opens devices by name. Example: <c>using var d = Device.Open("auto");</c></summary>
public static class Device
{
    /// <summary>"auto" picks cuda:0 when a CUDA device can be opened and the CPU otherwise; "cpu"; "cuda:N".</summary>
    public static IDevice Open(string spec) => throw new NotImplementedException("devices: being written on branch `devices`");
}
