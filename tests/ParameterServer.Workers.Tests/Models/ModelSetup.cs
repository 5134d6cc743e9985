using ParameterServer.Kernels.Devices;
using ParameterServer.Kernels.Init;
using ParameterServer.Workers.Models;

namespace ParameterServer.Workers.Tests.Models;

/// <summary>Fixed-seed values for a model's tables, kept on the host too so a test can reason about them.</summary>
internal static class ModelSetup
{
    /// <summary>Every table uniform on [-scale, scale), table t drawn from seed + t; returns the host copies.</summary>
    public static List<float[]> Fill(Mlp model, ulong seed, Func<ParameterTable, float> scale)
    {
        var values = new List<float[]>();
        for (var t = 0; t < model.Parameters.Count; t++)
        {
            var table = model.Parameters[t];
            var host = new float[table.Length];
            var s = scale(table);
            Initializers.Uniform(host, 0, seed + (ulong)t, -s, s);
            model.Device.CopyToDevice<float>(host, table.Value);
            values.Add(host);
        }
        return values;
    }

    public static T[] Download<T>(IDevice device, DeviceBuffer<T> buffer, long length) where T : unmanaged
    {
        var host = new T[length];
        device.CopyToHost(buffer, host.AsSpan());
        return host;
    }

    public static DeviceBuffer<T> Upload<T>(IDevice device, T[] values) where T : unmanaged
    {
        var buffer = device.Allocate<T>(values.Length);
        device.CopyToDevice<T>(values, buffer);
        return buffer;
    }
}
